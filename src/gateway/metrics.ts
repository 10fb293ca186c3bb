import { LoopLag } from './loop-lag.js';

type Labels = Readonly<Record<string, string>>;

/**
 * The `type` of a serialised server frame, for per-type counters without
 * parsing: every frame is JSON.stringify({ type, ... }), so it leads.
 */
/** Counts a serialised frame under its type, with a counter from Metrics.labelled. */
export function countLabelled(count: (value: string) => void): (frame: string) => void {
  return (frame) => count(frameType(frame));
}

export function frameType(frame: string): string {
  if (!frame.startsWith('{"type":"')) return 'other';
  const end = frame.indexOf('"', 9);
  return end > 9 && end < 40 ? frame.slice(9, end) : 'other';
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count += 1;
    for (let i = 0; i < this.buckets.length; i++) {
      if (v <= (this.buckets[i] ?? Infinity)) this.counts[i] = (this.counts[i] ?? 0) + 1;
    }
  }
  lines(name: string): string[] {
    const out = this.buckets.map((b, i) => `${name}_bucket{le="${b}"} ${this.counts[i] ?? 0}`);
    out.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sum}`, `${name}_count ${this.count}`);
    return out;
  }
}

/**
 * The server's Prometheus metrics. Counters are plain numbers bumped on the
 * hot path; everything else is read when /metrics is scraped.
 */
export class Metrics {
  readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  readonly batchSize = new Histogram([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
  readonly commitSeconds = new Histogram([0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]);
  private readonly loopLag = new LoopLag();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();

  constructor() {
    this.loopLag.start();
    this.gauge('roost_event_loop_lag_p99_seconds', 'Event loop lag (how late a 20 ms timer fires), 99th percentile over about the last minute.', () => this.loopLag.percentile(99) / 1e3);
    this.gauge('roost_event_loop_lag_max_seconds', 'Event loop lag, maximum over about the last minute.', () => this.loopLag.max() / 1e3);
    this.gauge('process_resident_memory_bytes', 'Resident set size.', () => process.memoryUsage.rss());
    this.gauge('roost_heap_used_bytes', 'V8 heap in use.', () => process.memoryUsage().heapUsed);
  }

  inc(name: string, help: string, labels?: Labels, by = 1): void {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = { help, values: new Map() };
      this.counters.set(name, c);
    }
    const key = labelText(labels);
    c.values.set(key, (c.values.get(key) ?? 0) + by);
  }

  /**
   * A counter with one label whose text is built once per label value, for
   * the per-frame hot path (inc() builds label text on every call).
   */
  labelled(name: string, help: string, label: string): (value: string, by?: number) => void {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = { help, values: new Map() };
      this.counters.set(name, c);
    }
    const values = c.values;
    const keys = new Map<string, string>();
    return (value, by = 1) => {
      let key = keys.get(value);
      if (key === undefined) {
        key = labelText({ [label]: value });
        keys.set(value, key);
      }
      values.set(key, (values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** Event-loop lag p99 in ms over about the last minute, for benchmarks and the admin page. */
  loopLagP99Ms(): number {
    return this.loopLag.percentile(99);
  }

  render(): string {
    const out: string[] = [];
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of c.values) out.push(`${name}${labels} ${v}`);
    }
    for (const [name, g] of this.gauges) out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.read()}`);
    out.push('# HELP roost_writer_batch_size Writes committed per transaction.', '# TYPE roost_writer_batch_size histogram', ...this.batchSize.lines('roost_writer_batch_size'));
    out.push('# HELP roost_writer_commit_seconds Time to apply and commit one batch (fsync included).', '# TYPE roost_writer_commit_seconds histogram', ...this.commitSeconds.lines('roost_writer_commit_seconds'));
    return `${out.join('\n')}\n`;
  }

  close(): void {
    this.loopLag.stop();
  }
}
