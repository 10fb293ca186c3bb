import t from 'tap';
import { LONGEST_TIMER_MS, PeriodicJob } from '../../src/jobs/periodic-job.js';

class Counting extends PeriodicJob<number> {
  passes = 0;
  protected async pass(): Promise<number> {
    return ++this.passes;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('an interval longer than a timer can wait runs no pass early', async (t) => {
  // Node fires a setTimeout/setInterval longer than 2^31 − 1 ms after 1 ms: a monthly backup ran back to back.
  const job = new Counting(LONGEST_TIMER_MS + 60_000);
  job.start();
  await sleep(300);
  await job.stop();
  t.equal(job.passes, 0);
});

t.test('a short interval runs a pass each time it passes, until stopped', async (t) => {
  const job = new Counting(5);
  job.start();
  for (let i = 0; i < 1000 && job.passes < 3; i++) await sleep(10);
  await job.stop();
  t.ok(job.passes >= 3, `${job.passes} passes`);
  const after = job.passes;
  await sleep(50);
  t.equal(job.passes, after, 'none after stop');
});

t.test('runNow runs the first pass at once; a pass in flight is joined, not doubled', async (t) => {
  const job = new Counting(LONGEST_TIMER_MS * 3);
  job.start({ runNow: true });
  const [a, b] = await Promise.all([job.runOnce(), job.runOnce()]);
  await job.stop();
  t.equal(a, 1);
  t.equal(b, 1);
  t.equal(job.passes, 1);
});
