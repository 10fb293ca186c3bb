import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/password.js';
import { addUser } from '../../src/store/admin/admin.js';
import { openWritable } from '../../src/store/db/database.js';
import { roost } from './run.js';

// Users are made through the store (user commands have their own test); each CLI run costs a Node start.
const data = mkdtempSync(join(tmpdir(), 'roost-cli-'));
t.teardown(() => rmSync(data, { recursive: true, force: true }));
{
  const db = openWritable(data);
  const hash = await hashPassword('unused-password-1');
  for (const name of ['ann', 'ben', 'cat']) addUser(db, name, 'member', hash);
  db.close();
}
const cli = (...args: string[]): ReturnType<typeof roost> => roost([...args, '--data', data]);

t.test('room create with members; a taken name or an unknown member is a failure', async (t) => {
  const r = await cli('room', 'create', 'Garden Club', '--members', 'ann,ben');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^created room Garden Club \(id \d+\) with (ann,ben|ben,ann)$/m);
  const dup = await cli('room', 'create', 'garden club');
  t.equal(dup.code, 1);
  t.match(dup.stderr, /^roost: a room named "garden club" already exists\n$/);
  const unknown = await cli('room', 'create', 'Other', '--members', 'ann,zed');
  t.equal(unknown.code, 1);
  t.equal(unknown.stderr, 'roost: no user named "zed"\n');
});

t.test('room add and remove accept the room\'s name or its id; list shows the members', async (t) => {
  const id = /\(id (\d+)\)/.exec((await cli('room', 'create', 'Kitchen')).stdout)?.[1] ?? '';
  t.match(id, /^\d+$/);
  t.match((await cli('room', 'add', 'Kitchen', 'cat')).stdout, /^added cat to Kitchen$/m);
  t.match((await cli('room', 'add', id, 'ann')).stdout, new RegExp(`^added ann to ${id}$`, 'm'));
  t.match((await cli('room', 'add', 'kitchen', 'cat')).stdout, /cat is already in kitchen/);
  t.match((await cli('room', 'remove', id, 'cat')).stdout, new RegExp(`^removed cat from ${id}$`, 'm'));
  const list = (await cli('room', 'list')).stdout;
  t.match(list, /^ID\s+NAME\s+KIND\s+MESSAGES\s+MEMBERS$/m);
  // MESSAGES is the room's last seq: the timeline entries (created, joined, removed) count.
  t.match(list, /^\d+\s+Garden Club\s+group\s+3\s+(ann,ben|ben,ann)$/m);
  t.match(list, new RegExp(`^${id}\\s+Kitchen\\s+group\\s+4\\s+ann$`, 'm'));
});

t.test('dm creates the direct room once; asking again, either way round, finds the same room', async (t) => {
  const first = await cli('dm', 'ann', 'ben');
  t.equal(first.code, 0, first.stderr);
  const id = /^created direct room (\d+) for /m.exec(first.stdout)?.[1];
  t.ok(id, first.stdout);
  const again = await cli('dm', 'ben', 'ann');
  t.match(again.stdout, new RegExp(`^exists: direct room ${id} for `, 'm'));
  const add = await cli('room', 'add', id ?? '', 'cat');
  t.equal(add.code, 1);
  t.equal(add.stderr, 'roost: a direct room has exactly its two people\n');
});

t.test('room create --owner joins its owner; room role changes a role, with entries for each change', async (t) => {
  const r = await cli('room', 'create', 'Porch', '--members', 'ben', '--owner', 'ann');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /owned by ann$/m);
  t.match((await cli('room', 'role', 'Porch', 'ben', 'moderator')).stdout, /^ben is now moderator in Porch$/m);
  t.match((await cli('room', 'role', 'Porch', 'ben', 'moderator')).stdout, /^ben was already moderator in Porch$/m);
  const bad = await cli('room', 'role', 'Porch', 'ben', 'king');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /invalid role "king"/);
  const notIn = await cli('room', 'role', 'Porch', 'cat', 'member');
  t.equal(notIn.code, 1);
  const db = openWritable(data);
  try {
    const room = (db.prepare("SELECT id FROM rooms WHERE name = 'Porch'").get() as { id: number }).id;
    t.same(db.prepare('SELECT u.name, m.role FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = ? ORDER BY u.name').all(room),
      [{ name: 'ann', role: 'owner' }, { name: 'ben', role: 'moderator' }]);
    const kinds = (db.prepare('SELECT extra FROM messages WHERE room_id = ? ORDER BY seq').all(room) as Array<{ extra: string }>)
      .map((m) => (JSON.parse(m.extra) as { event: { kind: string } }).event.kind);
    t.same(kinds, ['created', 'joined', 'joined', 'role']);
  } finally {
    db.close();
  }
});
