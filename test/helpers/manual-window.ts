import type { Schedule, WindowTimer } from '../../src/chat/read-receipts.js';

/**
 * A timer and a clock the test moves by hand: `end()` jumps the clock to the
 * moment the live timer was set for and fires it, so a window ends when the
 * test says so, never on this box's clock. `armed` counts timers started,
 * `cancelled` the cancels of a live one.
 */
export class ManualWindow implements WindowTimer {
  armed = 0;
  cancelled = 0;
  now = 0;
  private live: { fire: () => void; at: number } | null = null;

  readonly clock = (): number => this.now;

  readonly schedule: Schedule = (fire, ms) => {
    if (ms <= 0) throw new Error('a timer must be set for a moment after now');
    this.armed++;
    const entry = { fire, at: this.now + ms };
    this.live = entry;
    return () => {
      if (this.live !== entry) return;
      this.cancelled++;
      this.live = null;
    };
  };

  get pending(): boolean {
    return this.live !== null;
  }

  /** Milliseconds from now until the live timer fires (null when none is set). */
  get dueIn(): number | null {
    return this.live === null ? null : this.live.at - this.now;
  }

  /** Moves the clock without firing anything (reads arriving later in a window). */
  advance(ms: number): void {
    this.now += ms;
  }

  end(): void {
    const entry = this.live;
    this.live = null;
    if (entry === null) return;
    this.now = Math.max(this.now, entry.at);
    entry.fire();
  }
}
