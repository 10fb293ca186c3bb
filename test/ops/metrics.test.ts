import t from 'tap';
import { frameType } from '../../src/gateway/metrics.js';
import { TestClient } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

/** Prometheus text -> { 'name{labels}': value }, checking every sample has HELP and TYPE lines. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trim().split('\n')) {
    const type = line.match(/^# TYPE (\S+) (counter|gauge|histogram)$/);
    if (type?.[1] !== undefined) typed.add(type[1]);
    if (line.startsWith('#')) continue;
    const m = line.match(/^([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN)$/i);
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const name = m[1] ?? '';
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!typed.has(name) && !typed.has(family)) throw new Error(`${name} has no # TYPE line before it`);
    samples.set(`${name}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

t.test('frame types are read from the leading "type" of a serialised frame', async (t) => {
  t.equal(frameType(JSON.stringify({ type: 'ack', id: 'x' })), 'ack');
  t.equal(frameType('{"type":"pong"}'), 'pong');
  t.equal(frameType('[1,2]'), 'other');
  t.equal(frameType(`{"type":"${'x'.repeat(60)}"}`), 'other', 'no unbounded label values');
});

t.test('after a scripted session /metrics counts what happened', async (t) => {
  const s = await startTestServer({ framesPerSecond: 5, frameBurst: 12 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const room = await s.room('general', ['alice', 'bob']);

  // One refused login and one refused upgrade.
  const bad = await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wrong-password' }) });
  t.equal(bad.status, 401);
  await t.rejects(TestClient.connect(s.ws, 'rst_not-a-real-token'), /upgrade refused: 401/);

  const a = await TestClient.connect(s.ws, alice.token);
  const b = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => Promise.all([a.close(), b.close()]));
  for (let i = 0; i < 10; i++) await a.request({ type: 'send', room, body: `hello ${i}`, clientMsgId: `m-${i}` });
  for (let i = 0; i < 10; i++) await b.next((f) => f.type === 'message' && f.body === `hello ${i}`);
  // A malformed frame, then more pings at once than the whole burst (12) holds, however much refilled.
  a.sendRaw('{"type":"nonsense"}');
  await a.next((f) => f.type === 'error' && f.code === 'bad_request');
  for (let i = 0; i < 13; i++) a.send({ type: 'ping', id: `p${i}` });
  await a.next((f) => f.type === 'error' && f.code === 'rate_limited');

  const res = await fetch(`${s.http}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const m = parse(await res.text());
  t.equal(m.get('roost_auth_failures_total{where="login"}'), 1);
  t.equal(m.get('roost_auth_failures_total{where="upgrade"}'), 1);
  t.equal(m.get('roost_connections'), 2);
  t.equal(m.get('roost_frames_in_total{type="send"}'), 10);
  t.equal(m.get('roost_frames_out_total{type="ack"}'), 10);
  t.ok((m.get('roost_frames_out_total{type="error"}') ?? 0) >= 2, 'the bad_request and rate_limited replies');
  t.equal(m.get('roost_frames_published_total{type="message"}'), 10, 'one publish per message, whatever the fan-out');
  t.equal(m.get('roost_messages_committed_total'), 10);
  t.ok((m.get('roost_frames_rejected_total{reason="bad_request"}') ?? 0) >= 1);
  t.ok((m.get('roost_rate_limited_total') ?? 0) >= 1);
  const batches = m.get('roost_writer_batch_size_count') ?? 0;
  t.ok(batches >= 10, 'each awaited send was its own batch (plus login tokens)');
  t.equal(m.get('roost_writer_batch_size_bucket{le="+Inf"}'), batches);
  t.ok((m.get('roost_writer_batch_size_sum') ?? 0) >= 10);
  t.equal(m.get('roost_writer_commit_seconds_count'), batches);
  t.ok((m.get('roost_writer_commit_seconds_sum') ?? 0) > 0);
  t.equal(m.get('roost_writer_queue_depth'), 0);
  t.equal(m.get('roost_writer_queue_bytes'), 0, 'nothing waits once the session is acked');
  t.ok((m.get('roost_wal_bytes') ?? 0) > 0, 'the WAL holds the session\'s commits');
  t.ok((m.get('process_resident_memory_bytes') ?? 0) > 10 * 1024 * 1024);
  t.ok(m.has('roost_event_loop_lag_p99_seconds'));
  t.ok(m.has('roost_event_loop_lag_max_seconds'));
});

t.test('/healthz and /readyz answer 200 on a running server', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const health = await fetch(`${s.http}/healthz`);
  t.equal(health.status, 200);
  const ready = await fetch(`${s.http}/readyz`);
  t.equal(ready.status, 200);
  t.same(await ready.json(), { status: 'ready' });
});

t.test('a quiet server parks its writer thread (roost_writer_running 0); the next message starts it and is acked and delivered', async (t) => {
  const s = await startTestServer({ writerParkSeconds: 1 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const room = await s.room('general', ['alice', 'bob']);
  const a = await TestClient.connect(s.ws, alice.token);
  const b = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const running = async (): Promise<number | undefined> => parse(await (await fetch(`${s.http}/metrics`)).text()).get('roost_writer_running');
  // Polled, bounded by count: a second of quiet parks it; 20 s is only the give-up point.
  let parked = false;
  for (let i = 0; i < 200 && !parked; i++) {
    parked = (await running()) === 0;
    if (!parked) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.ok(parked, 'parked after writerParkSeconds with nothing to write');
  const ack = await a.request({ type: 'send', room, body: 'after the quiet', clientMsgId: 'q1' });
  t.match(ack, { type: 'ack', seq: 1 });
  await b.next((f) => f.type === 'message' && f.body === 'after the quiet');
  t.equal(await running(), 1, 'running again');
  const ready = await fetch(`${s.http}/readyz`);
  t.equal(ready.status, 200, 'ready throughout');
});
