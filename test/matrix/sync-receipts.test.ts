/**
 * Receipts in an incremental /sync: every read mark moved after `since` is
 * told once, in the answer whose range holds its stream position. An answer
 * reads a bounded number of marks; the rest, and whatever came after them,
 * come with the next answer.
 */
import t from 'tap';
import { SCAN_READS } from '../../src/matrix/wake-share.js';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx, type Json } from './helpers.js';

const NAME = 'roost.test';

/** The users each answer names in the room's receipts (on any event). */
function receiptUsers(body: Json, roomId: string): string[] {
  const events = (body.rooms?.join?.[roomId]?.ephemeral?.events ?? []) as Json[];
  return events.filter((e) => e.type === 'm.receipt')
    .flatMap((e) => Object.values(e.content as Record<string, Json>).flatMap((byType) => Object.keys((byType['m.read'] ?? {}) as object)));
}

t.test('a sync after more reads than one answer holds tells each receipt once, and what followed them in the next answer', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, receiptWindowMs: 0 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const roomId = (await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'crowd' } })).body.room_id as string;
  const base = `/_matrix/client/v3/rooms/${roomId}`;
  const first = (await mx(s, 'PUT', `${base}/send/m.room.message/t1`, { token: a.token, body: { msgtype: 'm.text', body: 'read me' } })).body.event_id as string;
  const since = (await mx(s, 'GET', '/_matrix/client/v3/sync?timeout=0', { token: a.token })).body.next_batch as string;

  // More readers than one answer tells, each reading at their own stream position, as the writer leaves them.
  const readers = SCAN_READS + 100;
  s.admin((db) => db.transaction(() => {
    const room = (db.prepare("SELECT id FROM rooms WHERE name = 'crowd'").get() as { id: number }).id;
    const addUser = db.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, 'member', 'x', 1)");
    const join = db.prepare('INSERT INTO members (room_id, user_id, joined_at, joined_seq) VALUES (?, ?, 1, 0)');
    const position = db.prepare("INSERT INTO matrix_stream (room_id, kind, ref) VALUES (0, 'read', 0)");
    const dropOlder = db.prepare("DELETE FROM matrix_stream WHERE kind = 'read' AND pos < ?");
    const read = db.prepare('UPDATE members SET read_seq = 1, read_pos = ? WHERE room_id = ? AND user_id = ?');
    for (let i = 0; i < readers; i++) {
      const user = Number(addUser.run(`reader${i}`).lastInsertRowid);
      join.run(room, user);
      const pos = Number(position.run().lastInsertRowid);
      dropOlder.run(pos);
      read.run(pos, room, user);
    }
  })());
  const edited = await mx(s, 'PUT', `${base}/send/m.room.message/t2`, {
    token: a.token, body: { msgtype: 'm.text', body: '* read me!', 'm.new_content': { msgtype: 'm.text', body: 'read me!' }, 'm.relates_to': { rel_type: 'm.replace', event_id: first } },
  });
  t.equal(edited.status, 200, 'alice edits her message after they all read it');

  const one = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=0`, { token: a.token });
  const told = receiptUsers(one.body, roomId);
  t.equal(told.length, SCAN_READS, 'the first answer tells as many receipts as an answer reads');
  const timelineOf = (body: Json): Json[] => (body.rooms?.join?.[roomId]?.timeline?.events ?? []) as Json[];
  t.notOk(timelineOf(one.body).some((e) => e.event_id === edited.body.event_id), 'and not the edit, which came after the marks it stopped at');

  const two = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${one.body.next_batch as string}&timeout=0`, { token: a.token });
  const rest = receiptUsers(two.body, roomId);
  t.equal(rest.length, readers - SCAN_READS, 'the next answer tells the rest');
  t.equal(new Set([...told, ...rest]).size, readers, 'each reader once, none twice');
  t.ok(timelineOf(two.body).some((e) => e.event_id === edited.body.event_id), 'and the edit');

  const three = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${two.body.next_batch as string}&timeout=0`, { token: a.token });
  t.same(receiptUsers(three.body, roomId), [], 'after that, nothing is told again');
});
