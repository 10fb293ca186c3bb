import sharp from 'sharp';
import t from 'tap';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

const png = (w: number, h: number): Promise<Buffer> => sharp({ create: { width: w, height: h, channels: 3, background: '#3a7' } }).png().toBuffer();

const upload = (s: TestServer, u: TestUser, body: Buffer | string, type = 'image/png'): Promise<Response> =>
  fetch(`${s.http}/api/v1/avatars`, { method: 'POST', headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });

async function uploaded(s: TestServer, u: TestUser): Promise<string> {
  const res = await upload(s, u, await png(640, 480));
  if (res.status !== 201) throw new Error(`avatar upload: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { fileId: string }).fileId;
}

const fetchAvatar = (s: TestServer, u: TestUser, id: string): Promise<Response> =>
  fetch(`${s.http}/api/v1/avatars/${id}`, { headers: { Authorization: `Bearer ${u.token}` } });

t.test('profiles', async (t) => {
  const s = await startTestServer({ avatarMaxBytes: 64 * 1024 });
  t.teardown(() => s.close());
  const [alice, bob, carol, dave] = [await s.user('alice'), await s.user('bob'), await s.user('carol'), await s.user('dave')];
  await s.room('kitchen', ['alice', 'bob']);
  await s.room('garden', ['alice', 'carol']);
  await s.room('attic', ['dave']);
  const [a, b, c, d] = [await s.connect(alice.token), await s.connect(bob.token), await s.connect(carol.token), await s.connect(dave.token)];

  t.test('set_profile reaches every room the user is in, cleaned, and no one else', async (t) => {
    t.match(await a.request({ type: 'set_profile', displayName: '  王芳\u202e ' }), { type: 'ok' });
    const want = { type: 'profile', user: alice.id, name: 'alice', displayName: '王芳' };
    t.same(await b.next((f) => f.type === 'profile'), want);
    t.same(await c.next((f) => f.type === 'profile'), want);
    // Frames to one socket arrive in order: had dave been sent the profile, it would come before his pong.
    await d.request({ type: 'ping' });
    t.notOk(d.frames.some((f) => f.type === 'profile'), 'dave shares no room with alice');
    t.same(await d.request({ type: 'profile', user: alice.id }), { ...want, id: 'r2' }, 'but may ask for it');
  });

  t.test('a bad display name is refused and changes nothing', async (t) => {
    t.match(await a.request({ type: 'set_profile', displayName: '王'.repeat(65) }), { type: 'error', code: 'bad_request', message: /at most 64/ });
    t.match(await b.request({ type: 'profile', user: alice.id }), { displayName: '王芳' });
    t.match(await b.request({ type: 'profile', user: '99999' }), { type: 'error', code: 'not_found', reason: 'user_unavailable' });
  });

  t.test('an uploaded avatar becomes the profile\'s, is shown to anyone signed in, and is kept while in use', async (t) => {
    const fileId = await uploaded(s, alice);
    t.equal((await fetchAvatar(s, bob, fileId)).status, 403, 'not in use yet: only its uploader may see it');
    t.equal((await fetchAvatar(s, alice, fileId)).status, 200);
    t.match(await a.request({ type: 'set_profile', avatar: fileId }), { type: 'ok' });
    t.match(await b.next((f) => f.type === 'profile' && f.avatar === fileId), { user: alice.id, displayName: '王芳', avatar: fileId });
    const res = await fetchAvatar(s, dave, fileId);
    t.equal(res.status, 200, 'a user\'s avatar: any signed-in user');
    t.equal(res.headers.get('content-type'), 'image/webp');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    t.ok((meta.width ?? 0) <= 320 && (meta.height ?? 0) <= 320, 'the thumbnail is served, never the original');
    t.equal((await fetch(`${s.http}/api/v1/avatars/${fileId}`)).status, 401, 'not without signing in');
    t.equal((await fetch(`${s.http}/api/v1/avatars/${fileId}?token=${dave.token}`)).status, 401, 'never with a token in the URL');
    t.equal((await fetch(`${s.http}/api/v1/files/${fileId}`, { headers: { Authorization: `Bearer ${alice.token}` } })).status, 403, 'not a room file');
    const refs = s.admin((db) => db.prepare('SELECT refs FROM files WHERE id = ?').get(fileId)) as { refs: number };
    t.equal(refs.refs, 1, 'the profile holds a reference, so the orphan collector leaves it');

    const links = await fetch(`${s.http}/api/v1/avatars/links`, { method: 'POST', headers: { Authorization: `Bearer ${bob.token}` }, body: JSON.stringify({ files: [fileId, 'nope'] }) });
    const { links: urls } = (await links.json()) as { links: Record<string, string> };
    t.same(Object.keys(urls), [fileId], 'links for the avatars one may see');
    t.equal((await fetch(`${s.http}${urls[fileId] ?? ''}`)).status, 200, 'a link opens it without a header');
  });

  t.test('someone else\'s upload cannot be one\'s avatar', async (t) => {
    const bobs = await uploaded(s, bob);
    t.match(await a.request({ type: 'set_profile', avatar: bobs, displayName: 'x' }), { type: 'error', code: 'not_found' });
    t.match(await b.request({ type: 'profile', user: alice.id }), { displayName: '王芳' }, 'nothing changed');
  });

  t.test('a room\'s avatar: its members may see it, others only when the room is public', async (t) => {
    const fileId = await uploaded(s, bob);
    s.admin((db) => db.prepare("UPDATE rooms SET avatar = ? WHERE name = 'kitchen'").run(fileId));
    t.equal((await fetchAvatar(s, alice, fileId)).status, 200, 'a member');
    t.equal((await fetchAvatar(s, dave, fileId)).status, 403, 'not a member of an invite-only room');
    s.admin((db) => db.prepare("UPDATE rooms SET join_rule = 'public' WHERE name = 'kitchen'").run());
    t.equal((await fetchAvatar(s, dave, fileId)).status, 200, 'a public room');
  });

  t.test('avatar uploads are images only, and at most avatarMaxBytes', async (t) => {
    const notImage = await upload(s, alice, 'just text, not a picture');
    t.equal(notImage.status, 400);
    t.match(await notImage.json(), { error: { code: 'bad_request', message: /PNG, JPEG, GIF or WebP/ } });
    const svg = await upload(s, alice, '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml');
    t.equal(svg.status, 400);
    const wrongType = await upload(s, alice, await png(10, 10), 'application/octet-stream');
    t.equal(wrongType.status, 400);
    const big = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#000' } }).raw().toBuffer();
    const huge = await sharp(big, { raw: { width: 512, height: 512, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    t.ok(huge.length > 64 * 1024);
    const tooLarge = await upload(s, alice, huge);
    t.equal(tooLarge.status, 413);
    t.match(await tooLarge.json(), { error: { code: 'too_large' } });
    const rows = s.admin((db) => db.prepare('SELECT count(*) AS n FROM files WHERE room_id = 0').get()) as { n: number };
    t.equal(rows.n, 3, 'only the three good uploads were stored');
  });
});
