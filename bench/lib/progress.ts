/** The live progress line: rewritten in place on a terminal, one plain line every few seconds otherwise. */
export interface ProgressFigures {
  phase: string;
  connections: number;
  target: number;
  msgsPerSecond: number;
  p99Ms: number | null;
  rssBytes: number | null;
  lagMs: number | null;
}

export function progressText(f: ProgressFigures): string {
  const mib = f.rssBytes === null ? '-' : `${(f.rssBytes / 2 ** 20).toFixed(0)} MiB`;
  const p99 = f.p99Ms === null ? '-' : `${f.p99Ms.toFixed(1)} ms`;
  const lag = f.lagMs === null ? '-' : `${f.lagMs.toFixed(1)} ms`;
  return `[${f.phase}] conns ${f.connections}/${f.target}  msgs/s ${Math.round(f.msgsPerSecond)}  p99 ${p99}  RSS ${mib}  lag ${lag}`;
}

export class Progress {
  private lastPlain = 0;
  private dirty = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly plainEveryMs = 5000) {}

  update(f: ProgressFigures): void {
    const text = progressText(f);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.dirty = true;
    } else if (Date.now() - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = Date.now();
      this.stream.write(`${text}\n`);
    }
  }

  /** A line that stays (a step result, a warning). */
  note(line: string): void {
    if (this.dirty) this.stream.write('\r\x1b[2K');
    this.dirty = false;
    this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.dirty) this.stream.write('\n');
    this.dirty = false;
  }
}
