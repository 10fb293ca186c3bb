import t from 'tap';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { addUser, createRoom } from '../../src/store/admin/admin.js';
import { closeWritable, openReadOnly, openWritable } from '../../src/store/db/database.js';
import { roost } from './run.js';
import { userData } from './user-data.js';

function seeded(t: Parameters<typeof userData>[0]): ReturnType<typeof userData> & { read<T>(sql: string, ...args: unknown[]): T } {
  const fixture = userData(t);
  const db = openWritable(fixture.data);
  addUser(db, 'root', 'admin', 'x');
  createRoom(db, 'general', ['root']);
  closeWritable(db);
  return {
    ...fixture,
    read<T>(sql: string, ...args: unknown[]): T {
      const r = openReadOnly(fixture.data);
      try {
        return r.prepare(sql).get(...args) as T;
      } finally {
        r.close();
      }
    },
  };
}

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

t.test('hook create prints the URL last; only its hash is stored; list and revoke use the id; both audited', async (t) => {
  const f = seeded(t);
  const made = await roost(['hook', 'create', 'general', '--name', 'Backup NAS', '--data', f.data]);
  t.equal(made.code, 0, made.stderr);
  const url = lastLine(made.stdout);
  const token = /^https?:\/\/[^/]+\/api\/v1\/hooks\/([A-Za-z0-9_-]{43})$/.exec(url)?.[1] ?? '';
  t.not(token, '', `the last line is the hook's URL: ${url}`);
  const row = f.read<{ hash: Buffer; name: string; bot_id: number }>('SELECT hash, name, bot_id FROM hooks');
  t.same(row.hash, createHash('sha256').update(token).digest(), 'the SHA-256 of the token, never the token');
  t.equal(row.name, 'Backup NAS');
  t.match(f.read('SELECT kind, password_hash, display_name FROM users WHERE id = ?', row.bot_id), { kind: 'bot', password_hash: '', display_name: 'Backup NAS' });
  t.ok(f.read('SELECT 1 AS one FROM members WHERE user_id = ?', row.bot_id), 'the hook\'s bot is in the room');

  const list = await roost(['hook', 'list', '--data', f.data]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /1\s+general\s+Backup NAS\s+backup-nas\s+live/);
  t.notMatch(list.stdout, token, 'the list never shows the token');

  const revoked = await roost(['hook', 'revoke', '1', '--data', f.data]);
  t.equal(revoked.code, 0, revoked.stderr);
  t.match(revoked.stdout, /revoked hook 1/);
  t.match((await roost(['hook', 'list', '--data', f.data])).stdout, /backup-nas\s+revoked/);
  t.match((await roost(['hook', 'revoke', '1', '--data', f.data])).stdout, /already revoked/);
  t.same(f.auditActions().map((a) => a.action).filter((a) => a.startsWith('hook.')), ['hook.create', 'hook.revoke', 'hook.revoke']);

  const direct = await roost(['hook', 'create', 'nowhere', '--data', f.data]);
  t.equal(direct.code, 1, 'an unknown room is refused');
  t.match(direct.stderr, /no room "nowhere"/);
});

t.test('hook create --avatar stores the picture as the bot\'s avatar, with its thumbnail', async (t) => {
  const f = seeded(t);
  const png = join(f.data, 'nas.png');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).png().toFile(png);
  const made = await roost(['hook', 'create', 'general', '--name', 'NAS', '--avatar', png, '--data', f.data]);
  t.equal(made.code, 0, made.stderr);
  const bot = f.read<{ avatar: string }>("SELECT avatar FROM users WHERE kind = 'bot'");
  t.type(bot.avatar, 'string', 'the bot shows an avatar');
  const file = f.read<{ room_id: number; thumb: number; refs: number; width: number; height: number; sha: string }>(
    'SELECT room_id, thumb, refs, width, height, hex(sha256) AS sha FROM files WHERE id = ?', bot.avatar);
  t.match(file, { room_id: 0, thumb: 1, refs: 1, width: 64, height: 48 }, 'an avatar upload\'s row, held by its bot');
  const sha = file.sha.toLowerCase();
  t.ok(existsSync(join(f.data, 'files', sha.slice(0, 2), `${sha}.thumb.webp`)), 'its thumbnail is in place');

  const notImage = await roost(['hook', 'create', 'general', '--avatar', join(f.data, 'roost.db'), '--data', f.data]);
  t.equal(notImage.code, 2, 'a file that is not an image is refused');
  t.match(notImage.stderr, /not a PNG, JPEG, GIF or WebP image/);
});

t.test('bot create prints a token; the bot has no password; list and token-reset; audited', async (t) => {
  const f = seeded(t);
  const made = await roost(['bot', 'create', 'weather', '--data', f.data]);
  t.equal(made.code, 0, made.stderr);
  const token = lastLine(made.stdout);
  t.match(token, /^[A-Za-z0-9_-]{43}$/, 'the last line is the token');
  t.match(f.userRow('weather'), { hash: '', role: 'member' }, 'no password hash: password login can never match');
  t.equal(f.read<{ n: number }>('SELECT count(*) AS n FROM tokens WHERE hash = ?', createHash('sha256').update(token).digest()).n, 1);

  const list = await roost(['bot', 'list', '--data', f.data]);
  t.match(list.stdout, /weather\s+enabled\s+1/);

  const reset = await roost(['bot', 'token-reset', 'weather', '--data', f.data]);
  t.equal(reset.code, 0, reset.stderr);
  const fresh = lastLine(reset.stdout);
  t.not(fresh, token);
  t.ok(f.read<{ r: number | null }>('SELECT revoked_at AS r FROM tokens WHERE hash = ?', createHash('sha256').update(token).digest()).r, 'the old token is revoked');
  t.equal(f.read<{ e: string }>("SELECT group_concat(kind) AS e FROM events WHERE kind = 'tokens_revoked'").e, 'tokens_revoked', 'a running server closes its sockets');
  t.same(f.auditActions().map((a) => a.action).filter((a) => a.startsWith('bot.')), ['bot.create', 'bot.token-reset']);

  const person = await roost(['bot', 'token-reset', 'root', '--data', f.data]);
  t.equal(person.code, 1, 'a person is not a bot');
  t.match(person.stderr, /a person, not a bot/);
});

t.test('webhook add refuses a host off the LAN; a LAN one prints its secret last', async (t) => {
  const f = seeded(t);
  const remote = await roost(['webhook', 'add', 'general', 'http://8.8.8.8/hook', '--data', f.data]);
  t.equal(remote.code, 2, remote.stderr);
  t.match(remote.stderr, /not on the LAN/);
  const withPassword = await roost(['webhook', 'add', 'general', 'http://lights:hunter2@127.0.0.1:9/hook', '--data', f.data]);
  t.equal(withPassword.code, 1, 'a URL with a password is refused: the list and the audit log would show it');
  t.match(withPassword.stderr, /may not carry a user name or password/);
  t.notMatch(withPassword.stderr, /hunter2/);
  const made = await roost(['webhook', 'add', 'general', 'http://127.0.0.1:9/hook', '--trigger', '!lights', '--name', 'Lights', '--data', f.data]);
  t.equal(made.code, 0, made.stderr);
  const secret = lastLine(made.stdout);
  t.equal(f.read<{ secret: string }>('SELECT secret FROM outgoing_webhooks').secret, secret);
  t.match((await roost(['webhook', 'list', '--data', f.data])).stdout, /1\s+general\s+!lights\s+http:\/\/127\.0\.0\.1:9\/hook\s+lights/);
  t.equal((await roost(['webhook', 'remove', '1', '--data', f.data])).code, 0);
  t.notMatch((await roost(['webhook', 'list', '--data', f.data])).stdout, /127\.0\.0\.1/);
  t.same(f.auditActions().map((a) => a.action).filter((a) => a.startsWith('webhook.')), ['webhook.add', 'webhook.remove']);
});
