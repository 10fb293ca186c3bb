/**
 * The web client's send queue, run in Node: paced under the server's
 * announced rate, one send in flight per room, and a refused message resent
 * first, after the advised wait, so a room's messages keep their order.
 */
import t from 'tap';
import { Outbox, type Delivery } from '../../src/web/outbox.js';
import { SendPacer } from '../../src/web/send-pacer.js';

const limits = (framesPerSecond: number, frameBurst: number, userFramesPerSecond = 0, userFrameBurst = 1) =>
  ({ framesPerSecond, frameBurst, userFramesPerSecond, userFrameBurst });

/** Resolves once `done()` is true, checking every few ms; fails after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !done();) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('the pacer keeps sends under the stricter limit, with room left for other frames', async (t) => {
  const pacer = new SendPacer(limits(10, 10, 100, 500));
  let sent = 0;
  while (pacer.take(1_000_000) === 0 && sent < 100) sent++;
  t.equal(sent, 5, 'half the socket burst at once');
  const wait = pacer.take(1_000_000);
  t.ok(wait > 0 && wait <= 125, `then one per 1000 / (10 × 0.8) ms: wait ${wait}`);
  t.equal(pacer.take(1_000_000 + wait), 0, 'after that wait a send may go');
  const open = new SendPacer(limits(0, 1, 0, 1));
  t.equal(Array.from({ length: 1000 }, () => open.take(0)).filter((w) => w > 0).length, 0, 'rates of 0: no pacing');
});

t.test('a refused message is resent after retryAfterMs, before the room\'s next one; every message stored once, in order', async (t) => {
  const stored: string[] = [];
  const attempts: Array<{ id: string; at: number }> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let refusedUntil = 0;
  const outbox = new Outbox({
    pacer: new SendPacer(limits(0, 1)),
    deliver: async (_room, id): Promise<Delivery> => {
      attempts.push({ id, at: Date.now() });
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      // The server refuses m3's first try, and every try before the time it announced.
      if ((id === 'm3' && refusedUntil === 0) || Date.now() < refusedUntil) {
        refusedUntil = Math.max(refusedUntil, Date.now() + 30);
        return { kind: 'refused', retryAfterMs: 30 };
      }
      stored.push(id);
      return { kind: 'done' };
    },
  });
  const ids = Array.from({ length: 10 }, (_, i) => `m${i + 1}`);
  for (const id of ids) outbox.push('r1', id);
  outbox.push('r1', 'm5');
  t.equal(attempts.length, 0, 'nothing is sent while the outbox is closed (offline, catching up)');
  outbox.open();
  await until(() => stored.length === ids.length, 15_000, 'all stored');
  t.same(stored, ids, 'stored once each, in the order written');
  t.equal(mostInFlight, 1, 'one send in flight for the room at a time');
  const refusal = attempts.findIndex((a) => a.id === 'm3');
  const resend = attempts[refusal + 1];
  t.equal(resend?.id, 'm3', 'the refused message goes again before the next one');
  t.ok((resend?.at ?? 0) - (attempts[refusal]?.at ?? 0) >= 30, 'not before the advised wait');
  t.equal(outbox.size, 0, 'nothing left queued');
});

t.test('a send cut off by a drop waits for the next open, and goes first', async (t) => {
  const stored: string[] = [];
  let online = false;
  const outbox = new Outbox({
    pacer: new SendPacer(limits(0, 1)),
    deliver: async (_room, id): Promise<Delivery> => {
      if (!online) return { kind: 'offline' };
      stored.push(id);
      return { kind: 'done' };
    },
  });
  outbox.push('r1', 'a');
  outbox.push('r1', 'b');
  outbox.open();
  await until(() => outbox.size === 2, 10_000, 'a tried once');
  await new Promise((r) => setTimeout(r, 20));
  t.same(stored, [], 'nothing stored while offline, and no busy loop of retries');
  online = true;
  outbox.open();
  await until(() => stored.length === 2, 10_000, 'both stored');
  t.same(stored, ['a', 'b']);
});
