/**
 * Cross-room isolation over every HTTP route that names a room or a file:
 * a user who is not a member gets the same `forbidden` for a real room and a
 * made-up one, learns nothing of the content, and changes nothing.
 */
import t from 'tap';
import { startTestServer, type TestUser } from '../helpers/server.js';

const s = await startTestServer();
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const mallory = await s.user('mallory');
const secret = await s.room('secret', ['alice', 'bob']);
const open = await s.room('open', ['alice', 'bob', 'mallory']);
const SECRET_WORD = 'zanzibar';

const call = async (who: TestUser, method: string, path: string, body?: string | Uint8Array<ArrayBuffer>): Promise<{ status: number; text: string }> => {
  const res = await fetch(`${s.http}${path}`, { method, headers: { Authorization: `Bearer ${who.token}` }, body });
  return { status: res.status, text: await res.text() };
};

/** Setup checks throw: an assertion at the top level would let tap end the file early. */
function expectStatus(r: { status: number; text: string }, status: number, what: string): void {
  if (r.status !== status) throw new Error(`setup failed: ${what}: ${r.status} ${r.text}`);
}

// Content to hide: a message and an image posted in the secret room.
const posted = await call(alice, 'POST', `/api/v1/rooms/${secret}/messages`, JSON.stringify({ body: `the word is ${SECRET_WORD}`, clientMsgId: 's1' }));
expectStatus(posted, 201, 'alice posts in the secret room');
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');
const upload = await call(alice, 'POST', `/api/v1/rooms/${secret}/files?name=plan.png`, new Uint8Array(png));
expectStatus(upload, 201, 'alice uploads a file to the secret room');
const fileId = (JSON.parse(upload.text) as { fileId: string }).fileId;
const sent = await call(alice, 'POST', `/api/v1/rooms/${secret}/messages`, JSON.stringify({ body: 'see attached', clientMsgId: 's2', attachments: [fileId] }));
expectStatus(sent, 201, 'alice sends it');

const roomRoutes = (room: string): Array<[string, string, string?]> => [
  ['GET', `/api/v1/rooms/${room}/messages`],
  ['GET', `/api/v1/rooms/${room}/messages?before=2&limit=1`],
  ['POST', `/api/v1/rooms/${room}/messages`, JSON.stringify({ body: 'let me in', clientMsgId: `m-${room}` })],
  ['GET', `/api/v1/rooms/${room}/members`],
  ['POST', `/api/v1/rooms/${room}/files?name=x.txt`, 'hello'],
  ['GET', `/api/v1/search?q=${SECRET_WORD}&room=${room}`],
];

for (const [label, room] of [['a real room', secret], ['a room that does not exist', '987654']] as const) {
  t.test(`a non-member gets forbidden on every room route for ${label}, and learns nothing`, async (t) => {
    for (const [method, path, body] of roomRoutes(room)) {
      const r = await call(mallory, method, path, body);
      t.equal(r.status, 403, `${method} ${path}`);
      t.match(JSON.parse(r.text), { error: { code: 'forbidden' } }, `${method} ${path}: the error body`);
      t.notMatch(r.text, SECRET_WORD, `${method} ${path}: no content`);
    }
  });
}

t.test('a file posted in a room the user is not in is forbidden, like an unknown file id', async (t) => {
  for (const path of [`/api/v1/files/${fileId}`, `/api/v1/files/${fileId}/thumbnail`, '/api/v1/files/nosuchfile', `/api/v1/files/${'0'.repeat(fileId.length)}`]) {
    const r = await call(mallory, 'GET', path);
    t.equal(r.status, 403, path);
  }
  const member = await call(bob, 'GET', `/api/v1/files/${fileId}`);
  t.equal(member.status, 200, 'a member of the room can download it');
});

t.test('file links: none for a file in a room the user is not in, like an unknown id; a member\'s opens only that file', async (t) => {
  const ask = (who: TestUser, ids: string[]) => fetch(`${s.http}/api/v1/files/links`, {
    method: 'POST', headers: { Authorization: `Bearer ${who.token}` }, body: JSON.stringify({ files: ids.map((fileId) => ({ fileId, thumbnail: true })) }),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const real = await ask(mallory, [fileId]);
  const unknown = await ask(mallory, ['nosuchfile']);
  t.equal(real.status, 200);
  t.equal(real.text, unknown.text, 'the same answer for a real file and a made-up one');
  t.same(JSON.parse(real.text), { links: {}, expiresIn: 600 });
  const bobs = JSON.parse((await ask(bob, [fileId])).text) as { links: Record<string, { url: string }> };
  const url = bobs.links[fileId]?.url ?? '';
  t.equal((await fetch(`${s.http}${url}`)).status, 200, 'a member\'s link works without a token');
  t.equal((await fetch(`${s.http}${url.replace(fileId, 'nosuchfile')}`)).status, 403, 'and for no other file id');
});

t.test('search without a room filter never returns another room\'s messages', async (t) => {
  const r = await call(mallory, 'GET', `/api/v1/search?q=${SECRET_WORD}`);
  t.equal(r.status, 200);
  t.same(JSON.parse(r.text), { hits: [] });
  const bobs = await call(bob, 'GET', `/api/v1/search?q=${SECRET_WORD}`);
  t.equal((JSON.parse(bobs.text) as { hits: unknown[] }).hits.length, 1, 'a member finds it');
});

t.test('the rooms list shows only the user\'s rooms', async (t) => {
  const r = JSON.parse((await call(mallory, 'GET', '/api/v1/rooms')).text) as { rooms: Array<{ room: string }> };
  t.same(r.rooms.map((x) => x.room), [open]);
});

t.test('nothing a non-member sent was stored', async (t) => {
  const page = JSON.parse((await call(alice, 'GET', `/api/v1/rooms/${secret}/messages`)).text) as { messages: Array<{ body: string }> };
  t.same(page.messages.map((m) => m.body), [`the word is ${SECRET_WORD}`, 'see attached']);
});

t.test('admin routes are for admins only', async (t) => {
  for (const path of ['/api/v1/admin/users', '/api/v1/admin/rooms', '/api/v1/admin/stats']) {
    t.equal((await call(mallory, 'GET', path)).status, 403, path);
  }
});
