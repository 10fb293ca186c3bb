import t from 'tap';
import { forEachSentAt, stampedBody } from '../../bench/lib/sent-at.js';
import { defaultOptions, runBench } from '../../bench/run.js';
import { bytesComparison, matrixConns } from '../../bench/scenarios/matrix.js';
import { nextBatchOf } from '../../bench/worker/sync-client.js';
import { childPids, quiet } from './helpers.js';

t.test('matrix clients are opened after one sender per full room, each user once', async (t) => {
  const users = Array.from({ length: 5 }, (_, i) => ({ token: `t${i}`, room: String(Math.floor(i / 2) + 1) }));
  const { conns, senders } = matrixConns(users, 2);
  t.equal(senders, 2, 'rooms 1 and 2 are full; room 3 has one member and no sender');
  t.same(conns.slice(0, 2).map((c) => c.token), ['t0', 't2']);
  t.same(conns.slice(2).map((c) => c.sync), [true, true, true, true, true], 'then every user as a /sync client');
  t.same(conns.slice(2).map((c) => c.token), ['t0', 't1', 't2', 't3', 't4']);
});

t.test('a held /sync\'s bytes are judged against a WebSocket\'s fitted line, and not at all without one', async (t) => {
  const fit = (bytes: number) => ({ userBytesPerConn: bytes, kernelBytesPerConn: null, baseRssBytes: 1, r2: 0.99, points: 4 });
  const met = bytesComparison(fit(2600), fit(1300), '');
  t.equal(met['/sync : WebSocket bytes'], 2);
  t.equal(met['bytes target (≤ 2× WebSocket)'], 'pass', 'twice a WebSocket is within the target');
  const missed = bytesComparison(fit(2700), fit(1300), '');
  t.equal(missed['/sync : WebSocket bytes'], 2.08);
  t.equal(missed['bytes target (≤ 2× WebSocket)'], 'missed');
  const none = bytesComparison(fit(2600), null, 'no fresh server');
  t.equal(none['/sync : WebSocket bytes'], null);
  t.equal(none['bytes target (≤ 2× WebSocket)'], 'not measured');
  t.match(none['bytes fits: /sync ; WebSocket'], /not measured: no fresh server/, 'and says why');
  const falling = bytesComparison({ ...fit(-3682), r2: 0.392 }, fit(1854), '');
  t.match(falling['bytes target (≤ 2× WebSocket)'], /^unreadable: \/sync r² 0\.392/, 'a line that falls is no verdict, though its ratio is below 2');
  const loose = bytesComparison(fit(2000), { ...fit(1500), r2: 0.81 }, '');
  t.equal(loose['/sync : WebSocket bytes'], 1.33, 'the ratio is still shown');
  t.match(loose['bytes target (≤ 2× WebSocket)'], /^unreadable: WebSocket r² 0\.810 \(a verdict needs lines that rise with r² ≥ 0\.95\)$/, 'but a loose fit on either side gives no verdict');
  const flat = bytesComparison({ ...fit(0), r2: 0.99 }, fit(1500), '');
  t.match(flat['bytes target (≤ 2× WebSocket)'], /^unreadable/, 'nor does a line that does not rise');
});

t.test('every stamped body in a /sync answer gives its send time', async (t) => {
  const a = stampedBody(64);
  const b = stampedBody(16);
  t.equal(a.length, 64);
  const text = JSON.stringify({ next_batch: 's9_3_0', rooms: { join: { '!r1:x': { timeline: { events: [{ content: { body: a } }, { content: { body: b } }] } } } } });
  const seen: number[] = [];
  t.equal(forEachSentAt(text, (ms) => seen.push(ms)), 2);
  t.same(seen, [Number(a.slice(2, a.indexOf('|'))), Number(b.slice(2, b.indexOf('|')))]);
  t.equal(forEachSentAt('{"body":"hello"}', () => t.fail('no stamp here')), 0);
  t.equal(nextBatchOf(text), 's9_3_0');
  t.equal(nextBatchOf('{"errcode":"M_UNKNOWN_TOKEN"}'), null);
});

t.test('matrix: held /sync clients receive every acked message, and the report has its figures', async (t) => {
  const o = { ...defaultOptions(), scenario: 'matrix' as const, connections: 20, rate: 200, roomSize: 10, msgRate: 20, seconds: 3, warmupSeconds: 1, settleSeconds: 1, logins: 0, workers: 1, noFiles: true };
  const { result } = await runBench(o, quiet);
  const f = result.figures;
  t.equal(f['/sync clients held'], 20);
  t.equal(f['WebSocket senders (one per room)'], 2);
  const acked = f['acked (durable)'];
  t.ok(typeof acked === 'number' && acked > 0, `acked ${String(acked)}`);
  t.equal(f['expected /sync deliveries'], (acked as number) * 10, 'every member of the room holds a /sync');
  t.equal(f['delivered via /sync'], f['expected /sync deliveries']);
  t.equal(f['lost'], 0);
  const warm = f['acked in the warm-up'];
  t.ok(typeof warm === 'number' && warm > 0, 'a second of the same load went first');
  t.equal(f['messages stored (scratch database)'], (acked as number) + (warm as number), 'its messages are stored, counted apart from the measured ones');
  t.match(f['warm-up before it: seconds, send→/sync p50 / p99 / max ms'], /^1 s, [\d.]+ \/ [\d.]+ \/ [\d.]+$/, 'and its latency is reported apart');
  t.ok((f['syncs answered'] as number) > 0);
  t.equal(f['sync errors'], 0);
  t.ok((f['send→/sync delivery p99 ms'] as number) > 0);
  t.ok((f['server main thread CPU µs per /sync delivery (load and drain)'] as number) > 0, 'the event loop\'s CPU per delivery is measured');
  for (const k of ['/sync : WebSocket bytes', 'bytes target (≤ 2× WebSocket)', 'sync timeouts (client gave up)', 'p99 target (< 100 ms)']) t.ok(k in f, k);
  t.equal(typeof f['bytes per held /sync (fit)'], 'number', 'a held /sync\'s bytes are fitted through the stages the clients were opened in');
  t.equal(typeof f['bytes per WebSocket (fit, fresh server, same users and rooms)'], 'number', 'and a WebSocket\'s on a server of its own');
  t.match(f['V8 heap bytes (fit): per held /sync ; per WebSocket'], /^-?\d+ ; -?\d+$/, 'both with the V8 heap\'s share');
  t.equal(result.steps.filter((s) => /^\d+ \/sync held$/.test(s.note ?? '')).length, 4, 'four stages of clients');
  const ref = result.reference;
  t.equal(ref?.figures['held as'], 'WebSockets', 'the run compared with is kept in the result: the same users as WebSockets');
  t.same(ref?.steps.slice(0, 5).map((s) => [s.connections, typeof s.rssBytes]), [[0, 'number'], [5, 'number'], [10, 'number'], [15, 'number'], [20, 'number']], 'with its idle reading and its four stages, RSS read at each');
  t.equal(ref?.memory?.userBytesPerConn, f['bytes per WebSocket (fit, fresh server, same users and rooms)'], 'whose fit is the one compared');
  t.equal(result.ceiling.rule, 'none', result.ceiling.detail);
  t.same(childPids(), [], 'load generators and the server have exited');
});
