import t from 'tap';
import type { WebSocket } from '@based/uws';
import { LagSweeper, STALLED_SWEEPS } from '../../src/gateway/lag-sweep.js';
import { SocketRegistry } from '../../src/gateway/socket-registry.js';
import { SocketState, type SocketData } from '../../src/gateway/socket-state.js';

const LIMIT = 256 * 1024;

/** A stand-in for a uWS socket: only what the sweeper and SocketState touch. */
function fakeSocket(queued: { bytes: number }, log: string[]): WebSocket<SocketData> {
  const ws = {
    getBufferedAmount: () => queued.bytes,
    end: (code: number) => log.push(`end ${code}`),
    close: () => log.push('cut'),
  };
  return ws as unknown as WebSocket<SocketData>;
}

function socket(registry: SocketRegistry, user: number, queued: { bytes: number }, log: string[]): SocketState {
  const s = new SocketState(user, 1, '127.0.0.1', { maxBackpressureBytes: LIMIT });
  s.ws = fakeSocket(queued, log);
  registry.add(s);
  return s;
}

/** One socket with `bytes` queued, in a registry swept by a sweeper that reports nothing. */
function oneSocket(user: number, bytes: number): { sweeper: LagSweeper; s: SocketState; queued: { bytes: number }; log: string[] } {
  const registry = new SocketRegistry();
  const log: string[] = [];
  const queued = { bytes };
  const sweeper = new LagSweeper(registry, LIMIT, () => undefined);
  return { sweeper, s: socket(registry, user, queued, log), queued, log };
}

t.test('a socket whose queue nears the bound is closed with 1013 when the close frame fits', async (t) => {
  const registry = new SocketRegistry();
  const log: string[] = [];
  const lagging: number[] = [];
  const sweeper = new LagSweeper(registry, LIMIT, (s) => lagging.push(s.userId));
  const fine = socket(registry, 1, { bytes: 1000 }, log);
  const behind = socket(registry, 2, { bytes: sweeper.threshold + 10 }, log);
  t.equal(sweeper.sweep(), 1);
  t.same(lagging, [2]);
  t.same(log, ['end 1013']);
  t.equal(fine.lagging, false);
  t.equal(behind.closed, true);
});

t.test('a lagging socket that reads nothing for STALLED_SWEEPS sweeps is cut: no close frame could reach it', async (t) => {
  const { sweeper, s, log } = oneSocket(3, LIMIT + 5000);
  sweeper.sweep();
  t.equal(s.lagging, true, 'marked lagging');
  t.same(log, [], 'no close frame while it cannot fit');
  for (let i = 1; i < STALLED_SWEEPS; i++) sweeper.sweep();
  t.same(log, [], 'not yet: it may only be slow to be scheduled');
  sweeper.sweep();
  t.same(log, ['cut']);
  t.equal(s.closed, true);
});

t.test('a lagging socket that reads, however slowly, is never cut and gets its 1013 once it fits', async (t) => {
  const { sweeper, s, queued, log } = oneSocket(6, LIMIT + 50_000);
  sweeper.sweep();
  for (let i = 0; i < STALLED_SWEEPS * 3; i++) {
    queued.bytes -= 1000;
    sweeper.sweep();
  }
  t.same(log, [], 'still over the bound, but its queue shrinks at every sweep');
  t.equal(s.closed, false);
  queued.bytes = LIMIT - 1;
  sweeper.sweep();
  t.same(log, ['end 1013']);
});

t.test('a lagging socket that drained below the bound gets its 1013 on the next sweep', async (t) => {
  const { sweeper, queued, log } = oneSocket(4, LIMIT + 1);
  sweeper.sweep();
  queued.bytes = 10_000;
  sweeper.sweep();
  t.same(log, ['end 1013']);
});

t.test('a socket uWS marked lagging between sweeps is first only noted, then given the same sweeps to read', async (t) => {
  const { sweeper, s, log } = oneSocket(5, LIMIT + 5000);
  s.lagging = true; // what the `dropped` handler does
  sweeper.sweep();
  t.same(log, [], 'the first sweep that sees it only notes it');
  for (let i = 1; i < STALLED_SWEEPS; i++) sweeper.sweep();
  t.same(log, [], 'still within its sweeps');
  sweeper.sweep();
  t.same(log, ['cut'], 'read nothing for STALLED_SWEEPS sweeps: cut');
});
