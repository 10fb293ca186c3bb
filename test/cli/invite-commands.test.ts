import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, createRoom } from '../../src/store/admin/admin.js';
import { closeWritable, openReadOnly, openWritable } from '../../src/store/db/database.js';
import { roost } from './run.js';

const data = mkdtempSync(join(tmpdir(), 'roost-cli-invite-'));
t.teardown(() => rmSync(data, { recursive: true, force: true }));
{
  const db = openWritable(data);
  addUser(db, 'root', 'admin', 'x');
  createRoom(db, 'general', ['root']);
  closeWritable(db);
}

function read<T>(sql: string): T {
  const db = openReadOnly(data);
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
}

t.test('invite create prints the URL once; the store keeps only its hash; list and revoke use the id', async (t) => {
  const made = await roost(['invite', 'create', '--expires', '2d', '--uses', '3', '--room', 'general', '--note', 'for the Smiths', '--data', data]);
  t.equal(made.code, 0, made.stderr);
  const id = /^created link ([0-9a-f]{12}): 3 use\(s\), expires /m.exec(made.stdout)?.[1] ?? '';
  const token = /^url: https?:\/\/[^/]+\/join\/([A-Za-z0-9_-]{32})$/m.exec(made.stdout)?.[1] ?? '';
  t.not(id, '');
  t.not(token, '');
  const row = read<{ hash: Buffer; max_uses: number; rooms: string; note: string; expires_at: number; created_at: number }>('SELECT * FROM invite_links');
  t.same(row.hash, createHash('sha256').update(token).digest());
  t.equal(row.expires_at - row.created_at, 48 * 60 * 60 * 1000);
  t.match(row, { max_uses: 3, note: 'for the Smiths' });
  t.same(JSON.parse(row.rooms), [1]);

  const list = await roost(['invite', 'list', '--data', data]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, new RegExp(`${id}\\s+usable\\s+0/3`));
  t.notOk(list.stdout.includes(token), 'the list never shows a token');

  t.match(await roost(['invite', 'revoke', id, '--data', data]), { code: 0, stdout: `revoked link ${id}\n` });
  t.match((await roost(['invite', 'list', '--data', data])).stdout, new RegExp(`${id}\\s+revoked`));
  t.equal(read<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action IN ('invite.create', 'invite.revoke') AND actor = 'cli'").n, 2);
});

t.test('bad durations, uses and rooms are refused and make no link', async (t) => {
  const before = read<{ n: number }>('SELECT count(*) AS n FROM invite_links').n;
  t.equal((await roost(['invite', 'create', '--expires', 'soon', '--data', data])).code, 2);
  t.equal((await roost(['invite', 'create', '--uses', 'many', '--data', data])).code, 2);
  const nowhere = await roost(['invite', 'create', '--room', 'nowhere', '--data', data]);
  t.equal(nowhere.code, 1);
  t.match(nowhere.stderr, /no room "nowhere"/);
  t.equal((await roost(['invite', 'revoke', 'zz', '--data', data])).code, 1);
  t.equal(read<{ n: number }>('SELECT count(*) AS n FROM invite_links').n, before);
});
