import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as policy from '../../../src/chat/policy.js';
import { addMember, addUser, createRoom, removeMember } from '../../../src/store/admin/admin.js';
import { openWritable } from '../../../src/store/db/database.js';
import { runExport } from '../../../src/store/history/export.js';
import { entryText } from '../../../src/store/history/entry-text.js';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';
import { verifyChains } from '../../../src/store/history/verify.js';

t.test('every kind of entry reads as a line', async (t) => {
  const name = (id: string): string => ({ 2: 'bob' } as Record<string, string>)[id] ?? `user ${id}`;
  t.equal(entryText({ kind: 'invited', user: '2' }, 'alice', name), 'alice invited bob');
  t.equal(entryText({ kind: 'removed', user: '2' }, 'alice', name), 'alice removed bob');
  t.equal(entryText({ kind: 'role', user: '2', role: 'moderator' }, 'alice', name), 'alice made bob moderator');
  t.equal(entryText({ kind: 'joined' }, 'bob', name), 'bob joined');
  t.equal(entryText({ kind: 'topic', topic: '' }, 'alice', name), 'alice cleared the topic');
});

t.test('an export shows entries as lines, and verify passes with entries from the writer and the CLI', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-entries-'));
  const db = openWritable(dir);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const alice = addUser(db, 'alice', 'member', 'x').id;
  const bob = addUser(db, 'bob', 'member', 'x').id;
  addUser(db, 'carol', 'member', 'x');
  const applier = new BatchApplier(db, { rules: policy });
  const made = applier.apply([{ k: 'room-create', user: alice, name: 'garden', topic: '', invite: [bob], joinRule: 'invite', history: 'shared' }], Date.now())[0];
  if (made === undefined || !made.ok || !('room' in made)) throw new Error(JSON.stringify(made));
  applier.apply([{ k: 'room-join', room: made.room, user: bob }, { k: 'send', room: made.room, user: bob, clientMsgId: 'c1', body: 'hello' }], Date.now());
  addMember(db, 'garden', 'carol');
  removeMember(db, 'garden', 'carol');
  const cli = createRoom(db, 'porch', ['alice'], undefined, { owner: 'bob' });
  t.equal(verifyChains(db).ok, true, 'every chain verifies');
  db.close();
  const file = join(dir, 'garden.csv');
  await runExport(dir, { room: 'garden', format: 'csv' }, { file });
  const csv = readFileSync(file, 'utf8');
  for (const line of ['alice created the room ""garden""', 'alice invited bob', 'bob joined', 'hello', 'carol joined', 'an admin removed carol']) {
    t.ok(csv.includes(line), `the export has "${line}"`);
  }
  const porch = join(dir, 'porch.csv');
  await runExport(dir, { room: String(cli.id), format: 'csv' }, { file: porch });
  t.match(readFileSync(porch, 'utf8'), /bob created the room[^\n]*\n[^\n]*bob joined[^\n]*\n[^\n]*alice joined/);
});
