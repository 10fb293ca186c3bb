/**
 * The web client's read markers, run in Node: at most one per room per
 * interval, the newest seq, and none lost while the socket is down.
 */
import t from 'tap';
import { ReadThrottle } from '../../src/web/read-throttle.js';

/** A timer the test fires by hand. */
function manualTimer(): { timer: (run: () => void) => void; fire: () => void; armed: () => number } {
  const waiting: Array<() => void> = [];
  return {
    timer: (run) => void waiting.push(run),
    fire: () => waiting.shift()?.(),
    armed: () => waiting.length,
  };
}

t.test('the first read goes at once; reads within the interval wait and go as one, the newest seq per room', async (t) => {
  const sent: Array<[string, number]> = [];
  const clock = manualTimer();
  const reads = new ReadThrottle((room, seq) => sent.push([room, seq]) > 0, clock.timer);
  reads.read('a', 1);
  t.same(sent, [['a', 1]], 'at once');
  for (let seq = 2; seq <= 30; seq++) reads.read('a', seq);
  reads.read('b', 7);
  reads.read('a', 4);
  t.same(sent, [['a', 1]], 'nothing more within the interval');
  t.equal(clock.armed(), 1, 'one timer for every room');
  clock.fire();
  t.same(sent.slice(1), [['a', 30], ['b', 7]], '31 reads of a cost one frame more');
  clock.fire();
  t.equal(clock.armed(), 0, 'no timer while nothing waits');
  reads.read('a', 31);
  t.same(sent.at(-1), ['a', 31], 'an idle room reads at once again');
});

t.test('a read the socket cannot take (offline) is kept and goes on the next flush', async (t) => {
  const sent: Array<[string, number]> = [];
  let online = false;
  const clock = manualTimer();
  const reads = new ReadThrottle((room, seq) => online && sent.push([room, seq]) > 0, clock.timer);
  reads.read('a', 5);
  t.same(sent, []);
  online = true;
  reads.flush();
  t.same(sent, [['a', 5]], 'sent after the reconnect');
  clock.fire();
  clock.fire();
  t.same(sent, [['a', 5]], 'and only once');
});
