import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { disableUser, removeMember } from '../../src/store/admin/admin.js';
import { blobPath } from '../../src/store/files/blob-store.js';
import { TestClient, type Frame } from '../helpers/client.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

interface Uploaded { fileId: string; name: string; size: number; mime: string; width?: number; height?: number; thumb?: boolean }

async function upload(srv: TestServer, user: TestUser, room: string, body: Buffer | string, name: string | null, type = 'application/octet-stream'): Promise<{ status: number; json: Uploaded & { error?: { code: string } } }> {
  const q = name === null ? '' : `?name=${encodeURIComponent(name)}`;
  const res = await fetch(`${srv.http}/api/v1/rooms/${room}/files${q}`, {
    method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': type },
  });
  return { status: res.status, json: (await res.json()) as Uploaded & { error?: { code: string } } };
}

const get = (srv: TestServer, user: TestUser, path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${srv.http}${path}`, { headers: { Authorization: `Bearer ${user.token}`, ...headers } });

let srv: TestServer;
let alice: TestUser;
let bob: TestUser;
let eve: TestUser;
let room: string;
let a: TestClient;
/** Added to the server's clock: file links expire by it, so tests move it instead of sleeping. */
let clockAhead = 0;

t.before(async () => {
  srv = await startTestServer({ maxUploadBytes: 200_000, uploadQuotaBytes: 1_000_000, framesPerSecond: 0, fileLinkSeconds: 600 }, { now: () => Date.now() + clockAhead });
  alice = await srv.user('alice');
  bob = await srv.user('bob');
  eve = await srv.user('eve');
  room = await srv.room('general', ['alice', 'bob']);
  a = await TestClient.connect(srv.ws, alice.token);
});
t.teardown(async () => {
  a.socket.terminate();
  await srv.close();
});

let n = 0;
const sendWith = (files: string[], body = ''): Promise<Frame> =>
  a.request({ type: 'send', room, body, clientMsgId: `f${++n}`, attachments: files });

t.test('an image upload gets its real dimensions and a thumbnail; members see it inline once posted', async (t) => {
  const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a7' } }).png().toBuffer();
  const up = await upload(srv, alice, room, png, 'holiday.png', 'image/png');
  t.equal(up.status, 201);
  t.match(up.json, { name: 'holiday.png', size: png.length, mime: 'image/png', width: 640, height: 480, thumb: true });
  t.equal((await get(srv, bob, `/api/v1/files/${up.json.fileId}`)).status, 403, 'not posted yet: only the uploader may fetch it');
  t.equal((await get(srv, alice, `/api/v1/files/${up.json.fileId}`)).status, 200, 'the uploader may preview it');
  const ack = await sendWith([up.json.fileId]);
  t.equal(ack.type, 'ack', 'a message may be only attachments');
  const msg = await a.next((f) => f.type === 'message' && f.seq === ack.seq);
  t.match(msg.attachments, [{ fileId: up.json.fileId, name: 'holiday.png', mime: 'image/png', width: 640, height: 480, thumb: true }]);
  const res = await get(srv, bob, `/api/v1/files/${up.json.fileId}`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'image/png');
  t.match(res.headers.get('content-disposition'), /^inline; filename="holiday.png"/);
  t.match(res.headers.get('content-security-policy'), /^sandbox; default-src 'none'/);
  t.equal(res.headers.get('x-content-type-options'), 'nosniff');
  t.same(Buffer.from(await res.arrayBuffer()), png);
  const thumb = await get(srv, bob, `/api/v1/files/${up.json.fileId}/thumbnail`);
  t.equal(thumb.headers.get('content-type'), 'image/webp');
  const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
  t.match(meta, { format: 'webp', width: 320, height: 240 });
  t.equal((await get(srv, eve, `/api/v1/files/${up.json.fileId}`)).status, 403, 'a non-member gets 403');
  t.equal((await get(srv, eve, '/api/v1/files/doesNotExist')).status, 403, 'an unknown id gets the same answer');
  t.equal((await fetch(`${srv.http}/api/v1/files/${up.json.fileId}`)).status, 401);
});

t.test('uploads past the size limit or the quota are refused with 413, and non-members with 403', async (t) => {
  const big = await upload(srv, alice, room, Buffer.alloc(200_001), 'big.bin');
  t.equal(big.status, 413);
  t.equal(big.json.error?.code, 'too_large');
  t.equal((await upload(srv, eve, room, 'hi', 'x.txt', 'text/plain')).status, 403);
  for (let i = 0; i < 5; i++) t.equal((await upload(srv, bob, room, Buffer.alloc(199_000, i), `q${i}.bin`)).status, 201);
  const over = await upload(srv, bob, room, Buffer.alloc(199_000, 9), 'q9.bin');
  t.equal(over.status, 413, 'past uploadQuotaBytes');
  t.equal(readdirSync(join(srv.dataDir, 'files', 'tmp')).length, 0, 'no temp file left behind');
});

t.test('hostile names and types: never a path, never rendered, never run', async (t) => {
  const html = await upload(srv, alice, room, '<script>alert(1)</script>', '../../etc/passwd', 'text/html');
  t.equal(html.status, 201);
  t.equal(html.json.name, 'passwd', 'only the last segment of a path is kept, as a display name');
  t.equal(html.json.mime, 'text/html');
  const svg = await upload(srv, alice, room, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'logo.svg', 'image/svg+xml');
  const fake = await upload(srv, alice, room, '<html><body onload=alert(1)>', 'photo.png', 'image/png');
  t.equal(fake.json.mime, 'application/octet-stream', 'claiming to be a PNG does not make it one');
  t.notOk('width' in fake.json);
  const empty = await upload(srv, alice, room, '', 'empty.txt', 'text/plain');
  t.match(empty, { status: 201, json: { size: 0 } });
  const weird = await upload(srv, alice, room, 'x', 'a\u0000b\u202e\r\nc"d.txt', 'text/plain');
  t.equal(weird.json.name, 'abc"d.txt', 'control and bidi-override characters removed');
  const noName = await upload(srv, alice, room, 'x', null);
  t.equal(noName.json.name, 'file');
  await sendWith([html.json.fileId, svg.json.fileId, fake.json.fileId, empty.json.fileId, weird.json.fileId]);
  for (const f of [html, svg, fake]) {
    const res = await get(srv, bob, `/api/v1/files/${f.json.fileId}`);
    t.equal(res.status, 200);
    t.equal(res.headers.get('content-type'), 'application/octet-stream', `${f.json.name} is served as bytes`);
    t.match(res.headers.get('content-disposition'), /^attachment; /, `${f.json.name} is a download`);
    t.match(res.headers.get('content-security-policy'), /sandbox/);
  }
  const e = await get(srv, bob, `/api/v1/files/${empty.json.fileId}`);
  t.equal(e.status, 200);
  t.equal((await e.arrayBuffer()).byteLength, 0);
  const w = await get(srv, bob, `/api/v1/files/${weird.json.fileId}`);
  t.equal(w.headers.get('content-disposition'), `attachment; filename="abc_d.txt"; filename*=UTF-8''abc%22d.txt`);
  t.notOk(existsSync(join(srv.dataDir, 'etc')), 'nothing written outside the files folder');
});

t.test('range requests: a part, a suffix, and 416 past the end', async (t) => {
  const body = Buffer.from('0123456789abcdef');
  const up = await upload(srv, alice, room, body, 'digits.txt', 'text/plain');
  await sendWith([up.json.fileId]);
  const part = await get(srv, bob, `/api/v1/files/${up.json.fileId}`, { Range: 'bytes=2-5' });
  t.equal(part.status, 206);
  t.equal(part.headers.get('content-range'), 'bytes 2-5/16');
  t.equal(await part.text(), '2345');
  const suffix = await get(srv, bob, `/api/v1/files/${up.json.fileId}`, { Range: 'bytes=-3' });
  t.equal(await suffix.text(), 'def');
  const past = await get(srv, bob, `/api/v1/files/${up.json.fileId}`, { Range: 'bytes=99-' });
  t.equal(past.status, 416);
  t.equal(past.headers.get('content-range'), 'bytes */16');
});

t.test('attachments must be the sender\'s own uploads to that room; deleting the message removes the file', async (t) => {
  const mine = await upload(srv, bob, room, 'bob data', 'b.txt', 'text/plain');
  t.match(await a.request({ type: 'send', room, body: 'steal', clientMsgId: 'steal-1', attachments: [mine.json.fileId] }), { type: 'error', code: 'forbidden' });
  t.match(await a.request({ type: 'send', room, body: 'x', clientMsgId: 'ghost-1', attachments: ['nope'] }), { type: 'error', code: 'not_found' });
  const up = await upload(srv, alice, room, 'secret plan v1', 'plan.txt', 'text/plain');
  const ack = await sendWith([up.json.fileId], 'the plan');
  const sha = (await import('node:crypto')).createHash('sha256').update('secret plan v1').digest('hex');
  t.ok(existsSync(blobPath(srv.dataDir, sha)));
  t.match(await a.request({ type: 'delete', room, seq: ack.seq }), { type: 'ok' });
  t.equal((await get(srv, bob, `/api/v1/files/${up.json.fileId}`)).status, 403, 'gone with its message');
  t.notOk(existsSync(blobPath(srv.dataDir, sha)), 'the bytes are removed: nothing references them');
});

interface LinkAnswer { status: number; json: { links?: Record<string, { url: string; thumbUrl?: string }>; expiresIn?: number; error?: { code: string } } }

async function askLinks(user: TestUser | null, body: unknown, viaQuery = false): Promise<LinkAnswer> {
  const q = viaQuery && user !== null ? `?token=${user.token}` : '';
  const headers: Record<string, string> = user !== null && !viaQuery ? { Authorization: `Bearer ${user.token}` } : {};
  const res = await fetch(`${srv.http}/api/v1/files/links${q}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as LinkAnswer['json'] };
}

/** A GET with no credentials but what the URL carries, as an <img> or a copied link would. */
const open = (url: string): Promise<Response> => fetch(`${srv.http}${url}`);

async function postedImage(name: string): Promise<{ fileId: string; bytes: Buffer }> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a37' } }).png().toBuffer();
  const up = await upload(srv, alice, room, png, name, 'image/png');
  await sendWith([up.json.fileId]);
  return { fileId: up.json.fileId, bytes: png };
}

async function linksFor(user: TestUser, fileId: string): Promise<{ url: string; thumbUrl?: string }> {
  const r = await askLinks(user, { files: [{ fileId, thumbnail: true }] });
  const link = r.json.links?.[fileId];
  if (r.status !== 200 || link === undefined) throw new Error(`no link for ${fileId}: ${r.status} ${JSON.stringify(r.json)}`);
  return link;
}

t.test('a file link opens its own file and variant without a session token, and nothing else', async (t) => {
  const img = await postedImage('cat.png');
  const other = await postedImage('dog.png');
  const answer = await askLinks(bob, { files: [{ fileId: img.fileId, thumbnail: true }] });
  t.equal(answer.status, 200);
  t.equal(answer.json.expiresIn, 600, 'the client is told how long the links live');
  const link = answer.json.links?.[img.fileId];
  t.ok(link !== undefined && link.thumbUrl !== undefined, 'a link to the file and one to its thumbnail');
  if (link?.thumbUrl === undefined) return;
  t.notOk(link.url.includes(bob.token) || link.thumbUrl.includes(bob.token), 'the session token is in neither');
  const full = await open(link.url);
  t.equal(full.status, 200);
  t.same(Buffer.from(await full.arrayBuffer()), img.bytes, 'the original bytes');
  const thumb = await open(link.thumbUrl);
  t.equal(thumb.status, 200);
  t.equal(thumb.headers.get('content-type'), 'image/webp', 'the thumbnail');

  const cap = new URL(link.url, srv.http).searchParams.get('cap') ?? '';
  const thumbCap = new URL(link.thumbUrl, srv.http).searchParams.get('cap') ?? '';
  const refused = async (url: string, why: string): Promise<void> => {
    const res = await open(url);
    t.equal(res.status, 403, why);
    t.match(await res.json(), { error: { code: 'forbidden', message: /invalid or has expired/ } }, `${why}: the standard error body`);
  };
  await refused(`/api/v1/files/${other.fileId}?cap=${cap}`, 'not for another file');
  await refused(`/api/v1/files/${img.fileId}/thumbnail?cap=${cap}`, 'the original\'s link does not open the thumbnail');
  await refused(`/api/v1/files/${img.fileId}?cap=${thumbCap}`, 'the thumbnail\'s link does not open the original');
  const [user, exp, sig] = cap.split('.');
  const flipped = `${sig?.slice(0, 10)}${sig?.[10] === 'A' ? 'B' : 'A'}${sig?.slice(11)}`;
  await refused(`/api/v1/files/${img.fileId}?cap=${user}.${exp}.${flipped}`, 'not with a changed signature');
  await refused(`/api/v1/files/${img.fileId}?cap=${alice.id}.${exp}.${sig}`, 'not for another user');
  await refused(`/api/v1/files/${img.fileId}?cap=${user}.${Number(exp) + 3600}.${sig}`, 'not with a later expiry');
  await refused(`/api/v1/files/${img.fileId}?cap=garbage`, 'not malformed');
});

t.test('a file link stops working after fileLinkSeconds; a fresh one works', async (t) => {
  const img = await postedImage('clock.png');
  const link = await linksFor(bob, img.fileId);
  // Links expire on whole seconds: aim the clock from the link's own expiry, not from when
  // it was asked for, so the verdict does not depend on how long the requests take.
  const exp = Number((new URL(link.url, srv.http).searchParams.get('cap') ?? '').split('.')[1]);
  t.ok(exp * 1000 > Date.now() + 480_000 && exp * 1000 <= Date.now() + 600_000, 'the link lasts about fileLinkSeconds');
  clockAhead = exp * 1000 - Date.now() - 30_000;
  t.equal((await open(link.url)).status, 200, 'still good shortly before its expiry');
  clockAhead = exp * 1000 - Date.now() + 1_000;
  try {
    const res = await open(link.url);
    t.equal(res.status, 403, 'refused once expired');
    t.match(await res.json(), { error: { code: 'forbidden' } });
    t.equal((await open((await linksFor(bob, img.fileId)).url)).status, 200, 'a link asked for now works');
  } finally {
    clockAhead = 0;
  }
});

t.test('a file link dies when its user leaves the room or is disabled, though it has not expired', async (t) => {
  const carol = await srv.user('carol');
  const dave = await srv.user('dave');
  await srv.addMember(room, 'carol');
  await srv.addMember(room, 'dave');
  const img = await postedImage('party.png');
  const carols = await linksFor(carol, img.fileId);
  const daves = await linksFor(dave, img.fileId);
  t.equal((await open(carols.url)).status, 200);
  t.equal((await open(daves.url)).status, 200);
  srv.admin((db) => removeMember(db, room, 'carol'));
  await srv.followed();
  t.equal((await open(carols.url)).status, 403, 'removed from the room: the link is refused');
  srv.admin((db) => disableUser(db, 'dave'));
  t.equal((await open(daves.url)).status, 403, 'disabled: the link is refused');
  t.equal((await open(`${daves.thumbUrl}`)).status, 403, 'its thumbnail link too');
});

t.test('a session token in the query is refused on file routes; the Authorization header still works', async (t) => {
  const img = await postedImage('query.png');
  for (const path of [`/api/v1/files/${img.fileId}`, `/api/v1/files/${img.fileId}/thumbnail`]) {
    const res = await open(`${path}?token=${bob.token}`);
    t.equal(res.status, 401, `${path}?token= is refused`);
    t.match(await res.json(), { error: { code: 'unauthorized' } });
    t.equal((await get(srv, bob, path)).status, 200, `${path} with the header is served`);
  }
  const up = await fetch(`${srv.http}/api/v1/rooms/${room}/files?name=q.txt&token=${alice.token}`, { method: 'POST', body: 'hi' });
  t.equal(up.status, 401, 'an upload with ?token= is refused');
  t.equal((await askLinks(bob, { files: [{ fileId: img.fileId }] }, true)).status, 401, 'so is asking for links with ?token=');
});

t.test('the links endpoint leaves out files the user cannot see, exactly as unknown ids', async (t) => {
  const img = await postedImage('private.png');
  const unposted = await upload(srv, alice, room, 'draft', 'draft.txt', 'text/plain');
  const text = await upload(srv, alice, room, 'notes', 'notes.txt', 'text/plain');
  await sendWith([text.json.fileId]);
  const byEve = await askLinks(eve, { files: [{ fileId: img.fileId }, { fileId: 'doesNotExist' }] });
  t.same(byEve, { status: 200, json: { links: {}, expiresIn: 600 } }, 'a non-member gets no link, as for an id that does not exist');
  const byBob = await askLinks(bob, { files: [{ fileId: unposted.json.fileId }, { fileId: text.json.fileId, thumbnail: true }] });
  t.same(Object.keys(byBob.json.links ?? {}), [text.json.fileId], 'an upload not yet posted is only its uploader\'s');
  t.notOk(byBob.json.links?.[text.json.fileId]?.thumbUrl, 'no thumbnail link for a file without a thumbnail');
  t.ok((await askLinks(alice, { files: [{ fileId: unposted.json.fileId }] })).json.links?.[unposted.json.fileId], 'the uploader gets one');
  t.equal((await askLinks(null, { files: [{ fileId: img.fileId }] })).status, 401, 'no token, no links');
  for (const bad of [{}, { files: [] }, { files: 'x' }, { files: [{ fileId: 7 }] }, { files: [{ fileId: 'a', thumbnail: 'yes' }] }, { files: Array.from({ length: 101 }, () => ({ fileId: 'a' })) }]) {
    const r = await askLinks(bob, bad);
    t.match(r, { status: 400, json: { error: { code: 'bad_request' } } }, `refused: ${JSON.stringify(bad).slice(0, 60)}`);
  }
});
