import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { TestClient, type Frame } from '../helpers/client.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';
import { matrixLogin, mx, type Json } from './helpers.js';

const NAME = 'roost.test';
const LIMIT = 300_000;

let s: TestServer;
let alice: TestUser;
let bob: TestUser;
let eve: TestUser;
let room: string;
let mxAlice: { token: string };
let mxBob: { token: string };
let mxEve: { token: string };
let png: Buffer;

/** A Matrix upload: the body is the file. */
async function upload(token: string | undefined, body: Buffer | string, type: string, filename?: string, prefix = '/_matrix/media/v3'): Promise<{ status: number; body: Json }> {
  const q = filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`;
  const res = await fetch(`${s.http}${prefix}/upload${q}`, {
    method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'Content-Type': type, ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const get = (token: string | undefined, path: string): Promise<Response> =>
  fetch(`${s.http}${path}`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });

const mediaPath = (mxc: string): string => mxc.replace(/^mxc:\/\//, '');

/** Files stored in the blob store (not counting thumbnails and the upload scratch folder). */
function storedBlobs(): number {
  const root = join(s.dataDir, 'files');
  if (!existsSync(root)) return 0;
  let n = 0;
  for (const dir of readdirSync(root)) if (/^[0-9a-f]{2}$/.test(dir)) n += readdirSync(join(root, dir)).filter((f) => !f.endsWith('.thumb.webp')).length;
  return n;
}

t.before(async () => {
  s = await startTestServer({ matrixServerName: NAME, maxUploadBytes: LIMIT, uploadQuotaBytes: 2_000_000, framesPerSecond: 0 });
  alice = await s.user('alice');
  bob = await s.user('bob');
  eve = await s.user('eve');
  room = await s.room('general', ['alice', 'bob']);
  mxAlice = await matrixLogin(s, 'alice', alice.password);
  mxBob = await matrixLogin(s, 'bob', bob.password);
  mxEve = await matrixLogin(s, 'eve', eve.password);
  png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#2a6' } }).png().toBuffer();
});
t.teardown(() => s.close());

t.test('config answers the upload limit, under the authenticated path and the v3 and r0 ones', async (t) => {
  for (const path of ['/_matrix/client/v1/media/config', '/_matrix/media/v3/config', '/_matrix/media/r0/config']) {
    const r = await mx(s, 'GET', path, { token: mxAlice.token });
    t.equal(r.status, 200, path);
    t.same(r.body, { 'm.upload.size': LIMIT }, path);
  }
});

t.test('an upload downloads as the same bytes, with its type and name; the thumbnail of a PNG is a smaller image', async (t) => {
  const up = await upload(mxAlice.token, png, 'image/png', 'garden.png');
  t.equal(up.status, 200);
  t.match(up.body.content_uri, new RegExp(`^mxc://${NAME.replace('.', '\\.')}/[A-Za-z0-9_-]+$`));
  const path = mediaPath(up.body.content_uri as string);
  const res = await get(mxAlice.token, `/_matrix/client/v1/media/download/${path}`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'image/png');
  t.match(res.headers.get('content-disposition') ?? '', /filename="garden\.png"/);
  t.equal(res.headers.get('access-control-allow-origin'), '*', 'web clients fetch media cross-origin');
  t.ok(Buffer.from(await res.arrayBuffer()).equals(png), 'the same bytes');
  const named = await get(mxAlice.token, `/_matrix/client/v1/media/download/${path}/other.png`);
  t.match(named.headers.get('content-disposition') ?? '', /filename="other\.png"/, 'the name in the path is the download name');
  await named.arrayBuffer();
  const thumb = await get(mxAlice.token, `/_matrix/client/v1/media/thumbnail/${path}?width=96&height=96&method=scale`);
  t.equal(thumb.status, 200);
  t.equal(thumb.headers.get('content-type'), 'image/webp');
  const bytes = Buffer.from(await thumb.arrayBuffer());
  t.ok(bytes.length < png.length, 'smaller than the original');
  const meta = await sharp(bytes).metadata();
  t.ok((meta.width ?? 0) > 0 && (meta.width ?? 0) <= 320, 'an image, at most 320 wide');
  const text = await upload(mxAlice.token, 'just words', 'text/plain', 'notes.txt');
  const cannot = await get(mxAlice.token, `/_matrix/client/v1/media/thumbnail/${mediaPath(text.body.content_uri as string)}?width=96&height=96`);
  t.equal(cannot.status, 400, 'a text file has no thumbnail');
});

t.test('r0 and v3 media paths are aliases; an upload is accepted under r0 too', async (t) => {
  const up = await upload(mxAlice.token, 'hello r0', 'text/plain', 'r0.txt', '/_matrix/media/r0');
  t.equal(up.status, 200);
  const path = mediaPath(up.body.content_uri as string);
  for (const prefix of ['/_matrix/media/v3', '/_matrix/media/r0']) {
    const res = await get(mxAlice.token, `${prefix}/download/${path}`);
    t.equal(res.status, 200, prefix);
    t.equal(await res.text(), 'hello r0', prefix);
  }
});

t.test('an upload over the limit is M_TOO_LARGE and nothing is stored', async (t) => {
  const before = storedBlobs();
  const big = Buffer.alloc(LIMIT + 1, 7);
  const up = await upload(mxAlice.token, big, 'application/octet-stream', 'big.bin');
  t.equal(up.status, 413);
  t.equal(up.body.errcode, 'M_TOO_LARGE');
  t.equal(storedBlobs(), before, 'no blob stored');
});

t.test('without a token: 401 M_MISSING_TOKEN, with a word on authenticated media for old clients', async (t) => {
  const up = await upload(undefined, 'x', 'text/plain');
  t.equal(up.status, 401);
  t.equal(up.body.errcode, 'M_MISSING_TOKEN');
  const mine = await upload(mxAlice.token, 'secret', 'text/plain', 's.txt');
  const path = mediaPath(mine.body.content_uri as string);
  for (const p of [`/_matrix/client/v1/media/download/${path}`, `/_matrix/media/v3/download/${path}`, `/_matrix/media/r0/thumbnail/${path}?width=32&height=32`]) {
    const res = await get(undefined, p);
    t.equal(res.status, 401, p);
    const body = (await res.json()) as Json;
    t.equal(body.errcode, 'M_MISSING_TOKEN', p);
    t.match(body.error, /authenticated media/, p);
  }
  const byQuery = await get(undefined, `/_matrix/client/v1/media/download/${path}?access_token=${mxAlice.token}`);
  t.equal(byQuery.status, 200, 'the access_token query is a token too');
  t.equal(await byQuery.text(), 'secret');
});

t.test('an upload not yet sent is its uploader\'s alone; a non-member gets 404 like an unknown id', async (t) => {
  const up = await upload(mxAlice.token, png, 'image/png', 'private.png');
  const path = mediaPath(up.body.content_uri as string);
  const bobEarly = await get(mxBob.token, `/_matrix/client/v1/media/download/${path}`);
  t.equal(bobEarly.status, 404, 'not sent yet: not even a room member may fetch it');
  t.equal(((await bobEarly.json()) as Json).errcode, 'M_NOT_FOUND');
  const sent = await mx(s, 'PUT', `/_matrix/client/v3/rooms/!r${room}:${NAME}/send/m.room.message/img1`, {
    token: mxAlice.token, body: { msgtype: 'm.image', body: 'private.png', url: up.body.content_uri, info: { mimetype: 'image/png' } },
  });
  t.equal(sent.status, 200);
  const bobLater = await get(mxBob.token, `/_matrix/client/v1/media/download/${path}`);
  t.equal(bobLater.status, 200, 'a member of the room it was sent in');
  await bobLater.arrayBuffer();
  const eveRes = await get(mxEve.token, `/_matrix/client/v1/media/download/${path}`);
  t.equal(eveRes.status, 404, 'a non-member');
  t.same(await eveRes.json(), { errcode: 'M_NOT_FOUND', error: 'Media not found' });
  const unknown = await get(mxEve.token, `/_matrix/client/v1/media/download/${NAME}/AAAAAAAAAAAAAAAAAAAAAA`);
  t.equal(unknown.status, 404);
  t.same(await unknown.json(), { errcode: 'M_NOT_FOUND', error: 'Media not found' }, 'the same answer as for an unknown id');
  const elsewhere = await get(mxBob.token, `/_matrix/client/v1/media/download/other.server/${path.split('/')[1] ?? ''}`);
  t.equal(elsewhere.status, 404, 'another server\'s media: no federation');
  const eveSend = await mx(s, 'PUT', `/_matrix/client/v3/rooms/!r${room}:${NAME}/send/m.room.message/img2`, {
    token: mxBob.token, body: { msgtype: 'm.image', body: 'x.png', url: up.body.content_uri },
  });
  t.equal(eveSend.status, 403, 'only its uploader may send a file');
});

t.test('a native message with an attachment comes out of /messages as m.image with a downloadable mxc url', async (t) => {
  const res = await fetch(`${s.http}/api/v1/rooms/${room}/files?name=native.png`, {
    method: 'POST', body: new Uint8Array(png), headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'image/png' },
  });
  t.equal(res.status, 201);
  const { fileId } = (await res.json()) as { fileId: string };
  const a = await TestClient.connect(s.ws, alice.token);
  t.teardown(() => a.socket.terminate());
  const ack: Frame = await a.request({ type: 'send', room, body: 'look at this', clientMsgId: 'n1', attachments: [fileId] });
  t.equal(ack.type, 'ack');
  const page = await mx(s, 'GET', `/_matrix/client/v3/rooms/!r${room}:${NAME}/messages?dir=b&limit=5`, { token: mxBob.token });
  t.equal(page.status, 200);
  const ev = (page.body.chunk as Json[]).find((e) => e.event_id === `$r${room}-${String(ack.seq)}`);
  t.ok(ev, 'the message is in the page');
  t.match(ev?.content, {
    msgtype: 'm.image', body: 'look at this', filename: 'native.png', url: `mxc://${NAME}/${fileId}`,
    info: { mimetype: 'image/png', size: png.length, w: 800, h: 600 },
  });
  const dl = await get(mxBob.token, `/_matrix/client/v1/media/download/${mediaPath(String(ev?.content.url))}`);
  t.equal(dl.status, 200, 'a member downloads it through the Matrix door');
  t.ok(Buffer.from(await dl.arrayBuffer()).equals(png));
});

t.test('a Matrix m.file send reaches a native client as a message with an attachment the native route serves to members', async (t) => {
  const b = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => b.socket.terminate());
  const up = await upload(mxAlice.token, 'minutes of the meeting', 'text/plain', 'minutes.txt');
  const sent = await mx(s, 'PUT', `/_matrix/client/v3/rooms/!r${room}:${NAME}/send/m.room.message/file1`, {
    token: mxAlice.token, body: { msgtype: 'm.file', body: 'minutes.txt', url: up.body.content_uri, info: { mimetype: 'text/plain' } },
  });
  t.equal(sent.status, 200);
  const seq = Number(/-(\d+)$/.exec(String(sent.body.event_id))?.[1]);
  const page = await b.request({ type: 'history', room, limit: 5 });
  const msg = (page.messages as Json[] | undefined)?.find((m) => m.seq === seq);
  t.ok(msg, 'the message is in the native history');
  const fileId = mediaPath(String(up.body.content_uri)).split('/')[1];
  t.match(msg, { body: '', attachments: [{ fileId, name: 'minutes.txt', mime: 'text/plain' }] }, 'no caption: the body was the file name');
  const native = await get(bob.token, `/api/v1/files/${fileId ?? ''}`);
  t.equal(native.status, 200, 'a member fetches it from the native route');
  t.equal(await native.text(), 'minutes of the meeting');
  const eveNative = await get(eve.token, `/api/v1/files/${fileId ?? ''}`);
  t.equal(eveNative.status, 403, 'a non-member does not');
  await eveNative.arrayBuffer();
  const captioned = await upload(mxAlice.token, png, 'image/png', 'cap.png');
  const withCaption = await mx(s, 'PUT', `/_matrix/client/v3/rooms/!r${room}:${NAME}/send/m.room.message/file2`, {
    token: mxAlice.token, body: { msgtype: 'm.image', body: 'our new logo', filename: 'cap.png', url: captioned.body.content_uri },
  });
  t.equal(withCaption.status, 200);
  const ev = await mx(s, 'GET', `/_matrix/client/v3/rooms/!r${room}:${NAME}/event/${encodeURIComponent(String(withCaption.body.event_id))}`, { token: mxBob.token });
  t.match(ev.body.content, { msgtype: 'm.image', body: 'our new logo', filename: 'cap.png' }, 'a caption is the message text');
});

t.test('avatars are mxc urls: set from Matrix with an uploaded image, shown in profiles, member events and room state', async (t) => {
  const face = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#a52' } }).png().toBuffer();
  const up = await upload(mxBob.token, face, 'image/png', 'face.png');
  const url = String(up.body.content_uri);
  const notMine = await mx(s, 'PUT', `/_matrix/client/v3/profile/@bob:${NAME}/avatar_url`, { token: mxAlice.token, body: { avatar_url: url } });
  t.equal(notMine.status, 403, 'only one\'s own profile');
  const aliceTakes = await mx(s, 'PUT', `/_matrix/client/v3/profile/@alice:${NAME}/avatar_url`, { token: mxAlice.token, body: { avatar_url: url } });
  t.equal(aliceTakes.status, 404, 'nor someone else\'s upload as one\'s picture (as unknown)');
  const bad = await mx(s, 'PUT', `/_matrix/client/v3/profile/@bob:${NAME}/avatar_url`, { token: mxBob.token, body: { avatar_url: 'https://example.com/x.png' } });
  t.equal(bad.status, 400, 'not an mxc url of this server');
  const set = await mx(s, 'PUT', `/_matrix/client/v3/profile/@bob:${NAME}/avatar_url`, { token: mxBob.token, body: { avatar_url: url } });
  t.equal(set.status, 200);
  const profile = await mx(s, 'GET', `/_matrix/client/v3/profile/@bob:${NAME}`, { token: mxEve.token });
  t.same(profile.body, { displayname: 'bob', avatar_url: url });
  const only = await mx(s, 'GET', `/_matrix/client/v3/profile/@bob:${NAME}/avatar_url`, { token: mxEve.token });
  t.same(only.body, { avatar_url: url });
  const eveSees = await get(mxEve.token, `/_matrix/client/v1/media/thumbnail/${mediaPath(url)}?width=64&height=64`);
  t.equal(eveSees.status, 200, 'a user\'s picture: any signed-in user, in no room with them');
  t.equal(eveSees.headers.get('content-type'), 'image/webp');
  await eveSees.arrayBuffer();
  const state = await mx(s, 'GET', `/_matrix/client/v3/rooms/!r${room}:${NAME}/state`, { token: mxAlice.token });
  const bobMember = (state.body as unknown as Json[]).find((e) => e.type === 'm.room.member' && e.state_key === `@bob:${NAME}`);
  t.equal(bobMember?.content.avatar_url, url, 'the member event carries the picture');

  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: mxAlice.token, body: { name: 'pictures', invite: [`@bob:${NAME}`] } });
  t.equal(made.status, 200, 'alice owns a room of her own');
  const own = String(made.body.room_id);
  t.equal((await mx(s, 'POST', `/_matrix/client/v3/rooms/${own}/join`, { token: mxBob.token, body: {} })).status, 200, 'bob joins it');
  const roomPic = await upload(mxAlice.token, face, 'image/png', 'room.png');
  const roomUrl = String(roomPic.body.content_uri);
  const put = await mx(s, 'PUT', `/_matrix/client/v3/rooms/${own}/state/m.room.avatar/`, { token: mxAlice.token, body: { url: roomUrl } });
  t.equal(put.status, 200, JSON.stringify(put.body));
  const avatarState = await mx(s, 'GET', `/_matrix/client/v3/rooms/${own}/state/m.room.avatar/`, { token: mxBob.token });
  t.same(avatarState.body, { url: roomUrl });
  const member = await get(mxBob.token, `/_matrix/client/v1/media/download/${mediaPath(roomUrl)}`);
  t.equal(member.status, 200, 'a member sees the room picture');
  await member.arrayBuffer();
  const stranger = await get(mxEve.token, `/_matrix/client/v1/media/download/${mediaPath(roomUrl)}`);
  t.equal(stranger.status, 404, 'not a member of the (invite-only) room: 404');
  await stranger.arrayBuffer();
  const asFile = await mx(s, 'PUT', `/_matrix/client/v3/rooms/${own}/send/m.room.message/av1`, {
    token: mxAlice.token, body: { msgtype: 'm.image', body: 'room.png', url: roomUrl },
  });
  t.equal(asFile.status, 403, 'a picture is not also a message\'s file');
});
