import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, createRoom } from '../../../src/store/admin/admin.js';
import { listAudit } from '../../../src/store/history/audit.js';
import { openReadOnly, openWritable, type Db } from '../../../src/store/db/database.js';
import { Reader } from '../../../src/store/read/reader.js';
import { RetentionJob } from '../../../src/jobs/retention-job.js';
import { parseKeep, retentionPolicies, setHold, setRetention } from '../../../src/store/history/retention.js';
import { verifyChains } from '../../../src/store/history/verify.js';
import { Writer } from '../../../src/store/write/writer.js';
import { startTestServer } from '../../helpers/server.js';
import { TestClient } from '../../helpers/client.js';
import { DAY, historyFixture } from '../history-fixture.js';
import type { JobWriter } from '../../../src/jobs/periodic-job.js';
import type { WriteOp } from '../../../src/store/write/write-ops.js';

interface Setup { dir: string; writer: Writer; read: Db; alice: number; rooms: { a: number; b: number }; admin<T>(fn: (db: Db) => T): T }

async function setup(t: { teardown: (fn: () => void | Promise<void>) => void }): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'roost-retention-'));
  const db = openWritable(dir);
  const alice = addUser(db, 'alice', 'member', 'x').id;
  const rooms = { a: createRoom(db, 'a', ['alice'], undefined, { entries: false }).id, b: createRoom(db, 'b', ['alice'], undefined, { entries: false }).id };
  db.close();
  const writer = await Writer.start({ dataDir: dir, synchronous: 'NORMAL', queueMax: 100_000, batchMax: 2000 });
  const read = openReadOnly(dir);
  const admin = <T>(fn: (db: Db) => T): T => {
    const w = openWritable(dir);
    try {
      return fn(w);
    } finally {
      w.close();
    }
  };
  t.teardown(async () => {
    await writer.close();
    read.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, writer, read, alice, rooms, admin };
}

async function sendMany(s: Setup, room: number, n: number, tag: string): Promise<number[]> {
  const acks = await Promise.all(Array.from({ length: n }, (_, i) => s.writer.run({ k: 'send', room, user: s.alice, clientMsgId: `${tag}-${i}`, body: `${tag} message ${i}` })));
  return acks.map((r) => (r.ok ? r.seq : -1));
}

const count = (db: Db, room: number): number => (db.prepare('SELECT count(*) AS n FROM messages WHERE room_id = ?').get(room) as { n: number }).n;
const ftsCount = (db: Db): number => (db.prepare("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'message'").get() as { n: number }).n;

t.test('retention settings parse and show: default forever, per-room override, default keyword', async (t) => {
  const s = await setup(t);
  t.equal(parseKeep('30'), 30);
  t.equal(parseKeep('Forever'), 'forever');
  for (const bad of ['0', '-1', '1.5', 'soon', '']) t.throws(() => parseKeep(bad), { code: 'bad_request' }, bad);
  t.equal(s.admin((db) => retentionPolicies(db)).defaultDays, 0, 'keep forever unless set');
  s.admin((db) => setRetention(db, undefined, 90));
  s.admin((db) => setRetention(db, 'a', 7));
  let view = s.admin((db) => retentionPolicies(db));
  t.same(view.rooms.map((r) => [r.name, r.days, r.ownDays]), [['a', 7, 7], ['b', 90, null]]);
  s.admin((db) => setRetention(db, 'a', 'default'));
  s.admin((db) => setRetention(db, 'b', 'forever'));
  view = s.admin((db) => retentionPolicies(db));
  t.same(view.rooms.map((r) => [r.name, r.days, r.ownDays]), [['a', 90, null], ['b', 0, 0]]);
  t.throws(() => s.admin((db) => setRetention(db, undefined, 'default')), { code: 'bad_request' });
  t.throws(() => s.admin((db) => setRetention(db, 'nope', 3)), { code: 'not_found' });
  const actions = s.admin((db) => listAudit(db, undefined)).map((e) => e.action);
  t.same(actions.filter((a) => a.startsWith('retention')), ['retention.set', 'retention.set', 'retention.set', 'retention.set']);
});

t.test('with a fake clock, old messages are purged in small batches while sends keep flowing', async (t) => {
  const s = await setup(t);
  await sendMany(s, s.rooms.a, 1200, 'old');
  await sendMany(s, s.rooms.b, 50, 'other');
  s.admin((db) => setRetention(db, 'a', 30));
  let clock = Date.now() + 31 * DAY;
  const job = new RetentionJob(s.read, s.writer, { batch: 100, intervalMs: 60_000, now: () => clock });
  // Sends run concurrently with the purge; their messages are "new" to the fake clock only after the first pass.
  let sending = true;
  let sentDuringPurge = 0;
  const sender = (async () => {
    for (let i = 0; i < 200 && sending; i++) {
      const [seq] = await sendMany(s, s.rooms.a, 5, `live${i}`);
      if (seq !== undefined && seq > 0) sentDuringPurge += 5;
    }
  })();
  const purged = await job.runOnce();
  sending = false;
  await sender;
  t.ok(purged >= 1200, `purged ${purged} (the old 1200 and whatever the fake clock already saw as old)`);
  t.ok(sentDuringPurge > 0, `sends were acked while the purge ran (${sentDuringPurge})`);
  t.equal(count(s.read, s.rooms.b), 50, 'a room without retention (default forever) keeps everything');
  t.equal(verifyChains(s.read).ok, true, 'verify passes after the purge');
  const cp = s.read.prepare('SELECT through_seq, purged FROM purge_checkpoints WHERE room_id = ?').get(s.rooms.a) as { through_seq: number; purged: number };
  t.equal(cp.purged, purged);
  t.equal(count(s.read, s.rooms.a), (s.read.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(s.rooms.a) as { last_seq: number }).last_seq - cp.through_seq);
  const audit = s.admin((db) => listAudit(db, undefined)).filter((e) => e.action === 'retention.purge');
  t.ok(audit.length >= 1, 'the purge run is signed off in the audit log');
  t.match(audit[audit.length - 1], { actor: 'server', actorName: 'retention', details: { room: s.rooms.a } });

  // seq numbers are never reused, message ids neither, even when everything was purged.
  clock += 365 * DAY;
  await job.runOnce();
  t.equal(count(s.read, s.rooms.a), 0);
  const maxIdBefore = (s.read.prepare('SELECT max(through_msg_id) AS n FROM purge_checkpoints').get() as { n: number }).n;
  const [next] = await Promise.all([s.writer.run({ k: 'send', room: s.rooms.a, user: s.alice, clientMsgId: 'after', body: 'after the purge' })]);
  const lastSeq = (s.read.prepare('SELECT through_seq FROM purge_checkpoints WHERE room_id = ?').get(s.rooms.a) as { through_seq: number }).through_seq;
  t.match(next, { ok: true, seq: lastSeq + 1 });
  t.ok(next?.ok && 'msgId' in next && next.msgId > maxIdBefore, 'a fresh message id, above every purged one');
  t.equal(verifyChains(s.read).ok, true, 'the chain resumes from the checkpoint');
  t.equal(ftsCount(s.read), 50, 'search entries went with their messages');
});

t.test('a legal hold suspends purging; clearing it lets the purge run', async (t) => {
  const s = await setup(t);
  await sendMany(s, s.rooms.a, 30, 'held');
  s.admin((db) => setRetention(db, undefined, 1));
  t.equal(s.admin((db) => setHold(db, 'a', true)), true);
  t.equal(s.admin((db) => setHold(db, 'a', true)), false, 'setting it twice changes nothing');
  const clock = Date.now() + 2 * DAY;
  const job = new RetentionJob(s.read, s.writer, { batch: 7, intervalMs: 60_000, now: () => clock });
  t.equal(await job.runOnce(), 0);
  t.equal(count(s.read, s.rooms.a), 30);
  // Even a purge op already queued when the hold is set does nothing: the hold is checked in the writer's transaction.
  t.match(await s.writer.run({ k: 'purge', room: s.rooms.a, before: clock, max: 100 }), { ok: true, purged: 0 });
  s.admin((db) => setHold(db, 'a', false));
  t.equal(await job.runOnce(), 30);
  t.equal(count(s.read, s.rooms.a), 0);
  const actions = s.admin((db) => listAudit(db, undefined)).map((e) => e.action);
  t.ok(actions.includes('hold.set') && actions.includes('hold.clear'));
});

t.test('history below the horizon answers more:false and the horizon', async (t) => {
  const s = await setup(t);
  await sendMany(s, s.rooms.a, 20, 'h');
  const reader = new Reader(s.read);
  t.same(reader.history(s.rooms.a, 3, 50), { messages: reader.history(s.rooms.a, 3, 50).messages, more: false }, 'no horizon before any purge');
  await s.writer.run({ k: 'purge', room: s.rooms.a, before: Date.now() + DAY, max: 10 });
  const bottom = reader.history(s.rooms.a, 15, 50);
  t.same(bottom.messages.map((m) => m.seq), [11, 12, 13, 14]);
  t.equal(bottom.more, false);
  t.equal(bottom.horizon, 11);
  t.same(reader.history(s.rooms.a, 5, 50), { messages: [], more: false, horizon: 11 }, 'asking below the horizon');
  const top = reader.history(s.rooms.a, undefined, 5);
  t.equal(top.more, true);
  t.equal(top.horizon, undefined, 'a page with more below it carries no horizon');
});

t.test('over the protocol: the purge job of a running server, and the history frame\'s horizon', async (t) => {
  let clock = Date.now();
  // The server's own purge job, on its fake clock; the timer is long so the test decides when it runs.
  const server = await startTestServer({ retentionCheckSeconds: 3600, purgeBatch: 4 }, { now: () => clock });
  t.teardown(() => server.close());
  const alice = await server.user('alice');
  const room = await server.room('ops', ['alice']);
  const client = await TestClient.connect(server.ws, alice.token);
  t.teardown(() => void client.close());
  for (let i = 0; i < 12; i++) await client.request({ type: 'send', room, body: `m${i}`, clientMsgId: `k${i}` });
  server.admin((db) => setRetention(db, 'ops', 1));
  clock += 2 * DAY;
  t.equal(await server.server.history.retention.runOnce(), 12);
  const page = await client.request({ type: 'history', room });
  t.same(page.messages, []);
  t.equal(page.more, false);
  t.equal(page.horizon, 13);
  const sent = await client.request({ type: 'send', room, body: 'after', clientMsgId: 'after' });
  t.equal(sent.seq, 13, 'seq continues after the purge');
  const res = await fetch(`${server.http}/api/v1/rooms/${room}/messages?before=13`, { headers: { Authorization: `Bearer ${alice.token}` } });
  t.same(await res.json(), { messages: [], more: false, horizon: 13 });
});

const EPOCH = Date.UTC(2024, 0, 1);

t.test('a purged message\'s edits and reactions leave with it even when they outnumber the purge batch', async (t) => {
  const f = historyFixture(t);
  const { general } = f.rooms;
  f.send(general, ['one', 'two'], EPOCH);
  // 2 messages, 6 changes each: more changes than the purge batch (3).
  let ts = EPOCH + 1;
  for (const seq of [1, 2]) {
    for (let i = 0; i < 3; i++) f.apply([{ k: 'edit', room: general, user: f.users.alice, seq, body: `secret v${i} of ${seq}`, windowMs: DAY }], ts++);
    for (const emoji of ['a', 'b', 'c']) f.apply([{ k: 'react', room: general, user: f.users.bob, seq, emoji, on: true }], ts++);
  }
  f.send(general, ['recent'], EPOCH + 40 * DAY);
  setRetention(f.db, undefined, 30);
  const now = EPOCH + 41 * DAY;
  const writer: JobWriter = { run: async (op: WriteOp) => f.apply([op], now)[0] as never };
  const job = new RetentionJob(f.db, writer, { batch: 3, intervalMs: 1_000_000, now: () => now });
  await job.runOnce(); // one pass: it steps on while old changes remain
  t.equal((f.db.prepare('SELECT count(*) AS n FROM messages WHERE seq <= 2').get() as { n: number }).n, 0, 'the old messages are purged');
  const left = f.db.prepare('SELECT seq, kind, body FROM message_changes WHERE seq <= 2').all();
  t.same(left, [], 'no change row (edit text) of a purged message is kept');
  t.equal(verifyChains(f.db).ok, true, 'and the chains still verify from their checkpoints');
});

const MINUTE = 60_000;

t.test('an edit or reaction of a purged message goes once it is past the cutoff, even when no later message ages out', async (t) => {
  const f = historyFixture(t);
  const { general } = f.rooms;
  f.send(general, ['original'], EPOCH);
  t.match(f.apply([{ k: 'edit', room: general, user: f.users.alice, seq: 1, body: 'SECRET current text', windowMs: DAY }], EPOCH + 10 * MINUTE), [{ ok: true }]);
  t.match(f.apply([{ k: 'react', room: general, user: f.users.bob, seq: 1, emoji: '👍', on: true }], EPOCH + 20 * DAY), [{ ok: true }]);
  setRetention(f.db, undefined, 30);
  let now = EPOCH + 30 * DAY + 5 * MINUTE; // the first 5-minute pass after the message aged out
  const writer: JobWriter = { run: async (op: WriteOp) => f.apply([op], now)[0] as never };
  const job = new RetentionJob(f.db, writer, { batch: 100, intervalMs: 1_000_000, now: () => now });
  await job.runOnce();
  t.equal((f.db.prepare('SELECT count(*) AS n FROM messages WHERE room_id = ?').get(general) as { n: number }).n, 0, 'the message is purged');
  // A year later, many passes on: everything of the purged message is older than the cutoff.
  for (const d of [60, 120, 365]) {
    now = EPOCH + d * DAY;
    await job.runOnce();
  }
  const left = f.db.prepare('SELECT cseq, seq, kind, body FROM message_changes WHERE room_id = ?').all(general);
  t.same(left, [], 'no change row (edit text, reaction) of a message purged long ago is kept');
});

t.test('a purge step that removes only old changes (edit texts, reactions) of purged messages is signed off in the audit log too', async (t) => {
  const f = historyFixture(t);
  const { general } = f.rooms;
  f.send(general, ['original'], EPOCH);
  f.apply([{ k: 'react', room: general, user: f.users.bob, seq: 1, emoji: 'x', on: true }], EPOCH + 20 * DAY);
  t.match(f.apply([{ k: 'purge', room: general, before: EPOCH + DAY, max: 100 }], EPOCH + 31 * DAY), [{ ok: true, purged: 1 }]);
  const audits = () => (f.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'retention%'").get() as { n: number }).n;
  const n0 = audits();
  t.match(f.apply([{ k: 'purge', room: general, before: EPOCH + 60 * DAY, max: 100 }], EPOCH + 90 * DAY), [{ ok: true }]);
  t.equal((f.db.prepare('SELECT count(*) AS n FROM message_changes WHERE room_id = ?').get(general) as { n: number }).n, 0, 'the reaction row went');
  t.equal(audits(), n0 + 1, 'and that destructive step is in the audit log with the change checkpoint');
  t.match(listAudit(f.db, undefined).filter((e) => e.action === 'retention.purge').at(-1), { details: { room: general, throughSeq: 1, throughCseq: 1, changeCheckpointHash: /^[0-9a-f]{64}$/ } });
});
