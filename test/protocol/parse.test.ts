import t from 'tap';
import { parseClientFrame, parseFrameValue, type FrameLimits, type ParseResult } from '../../src/protocol/parse.js';

const limits: FrameLimits = { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 3, maxSearchLimit: 50 };
const parse = (v: unknown): ParseResult => parseFrameValue(v, limits);
const fails = (r: ParseResult): { code: string; id?: string; message: string } => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.frame)}`);
  return r;
};

t.test('every client frame type parses into its typed form', async (t) => {
  t.same(parse({ type: 'send', room: '1', body: 'hi', clientMsgId: 'c1' }), { ok: true, frame: { type: 'send', room: '1', body: 'hi', clientMsgId: 'c1' } });
  t.same(parse({ type: 'sync', since: { 1: 0, 2: 5 }, limit: 10 }), { ok: true, frame: { type: 'sync', since: [['1', 0], ['2', 5]], limit: 10 } });
  t.same(parse({ type: 'history', room: '1', before: 51, limit: 10 }), { ok: true, frame: { type: 'history', room: '1', before: 51, limit: 10 } });
  t.same(parse({ type: 'search', query: 'hello', room: '1', limit: 5, before: 9 }), { ok: true, frame: { type: 'search', query: 'hello', room: '1', limit: 5, before: 9 } });
  t.same(parse({ type: 'read', room: '1', seq: 3 }), { ok: true, frame: { type: 'read', room: '1', seq: 3 } });
  t.same(parse({ type: 'typing', room: '1' }), { ok: true, frame: { type: 'typing', room: '1' } });
  t.same(parse({ type: 'rooms' }), { ok: true, frame: { type: 'rooms' } });
  t.same(parse({ type: 'ping' }), { ok: true, frame: { type: 'ping' } });
});

t.test('optional fields may be left out', async (t) => {
  t.match(parse({ type: 'history', room: '1' }), { ok: true, frame: { before: undefined, limit: undefined } });
  t.match(parse({ type: 'search', query: 'x' }), { ok: true, frame: { room: undefined, limit: undefined, before: undefined } });
  t.match(parse({ type: 'sync', since: {} }), { ok: true, frame: { since: [], limit: undefined } });
});

t.test('the request id is echoed on the frame and on every failure once it is usable', async (t) => {
  t.match(parse({ type: 'ping', id: 'abc' }), { ok: true, frame: { type: 'ping', id: 'abc' } });
  t.equal(fails(parse({ type: 'nope', id: 'q1' })).id, 'q1');
  t.equal(fails(parse({ id: 'q2' })).id, 'q2');
  t.equal(fails(parse({ type: 'send', id: 'q3', room: '1' })).id, 'q3');
  t.equal(fails(parse({ type: 'read', id: 'q4', room: '1', seq: -1 })).id, 'q4');
});

t.test('an id that is not a 1..64 character string is refused and not echoed', async (t) => {
  for (const id of [7, '', 'x'.repeat(65), null, {}]) {
    const f = fails(parse({ type: 'ping', id }));
    t.equal(f.code, 'bad_request', JSON.stringify(id));
    t.equal(f.id, undefined);
  }
  t.match(parse({ type: 'ping', id: 'x'.repeat(64) }), { ok: true });
});

t.test('text that is not JSON, or JSON that is not an object, is bad_request', async (t) => {
  for (const text of ['', 'not json', '{"type":', '[1,2]', '"send"', '42', 'null', 'true']) {
    t.equal(fails(parseClientFrame(text, limits)).code, 'bad_request', text);
  }
});

t.test('a missing or unknown type is bad_request', async (t) => {
  t.match(fails(parse({})), { code: 'bad_request', message: /no "type"/ });
  t.match(fails(parse({ type: 5 })), { code: 'bad_request', message: /no "type"/ });
  t.match(fails(parse({ type: 'explode' })), { code: 'bad_request', message: /unknown frame type/ });
  t.match(fails(parse({ type: 'toString' })), { code: 'bad_request', message: /unknown frame type/ });
  t.match(fails(parse({ type: 'SEND', room: '1', body: 'x', clientMsgId: 'c' })), { code: 'bad_request' });
});

t.test('send: each missing or wrong field is bad_request naming the field', async (t) => {
  const good = { type: 'send', room: '1', body: 'hi', clientMsgId: 'c1' };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ room: undefined }, /"room"/],
    [{ room: 1 }, /"room"/],
    [{ room: '' }, /"room"/],
    [{ room: 'r'.repeat(65) }, /"room"/],
    [{ body: undefined }, /"body"/],
    [{ body: 5 }, /"body"/],
    [{ body: '' }, /"body"/],
    [{ body: '   \n\t' }, /"body"/],
    [{ body: ['a'] }, /"body"/],
    [{ clientMsgId: undefined }, /"clientMsgId"/],
    [{ clientMsgId: 12 }, /"clientMsgId"/],
    [{ clientMsgId: '' }, /"clientMsgId"/],
    [{ clientMsgId: 'c'.repeat(65) }, /"clientMsgId"/],
  ];
  for (const [patch, field] of cases) {
    t.match(fails(parse({ ...good, ...patch })), { code: 'bad_request', message: field }, JSON.stringify(patch));
  }
  t.match(parse({ ...good, clientMsgId: 'c'.repeat(64) }), { ok: true });
});

t.test('a body longer than maxBodyChars is too_large; exactly the limit is accepted', async (t) => {
  const base = { type: 'send', room: '1', clientMsgId: 'c1' };
  t.match(parse({ ...base, body: 'x'.repeat(100) }), { ok: true });
  t.match(fails(parse({ ...base, body: 'x'.repeat(101) })), { code: 'too_large', message: /"body"/ });
  // Counted in UTF-16 code units: 50 emoji are 100 units.
  t.match(parse({ ...base, body: '😀'.repeat(50) }), { ok: true });
  t.match(fails(parse({ ...base, body: '😀'.repeat(51) })), { code: 'too_large' });
});

t.test('a body with a lone surrogate is refused; well-formed astral text is kept as is', async (t) => {
  const base = { type: 'send', room: '1', clientMsgId: 'c1' };
  for (const body of ['\uD800', 'abc\uDC00', 'x\uD83Dy', '\uDE00\uD83D']) {
    t.match(fails(parse({ ...base, body })), { code: 'bad_request', message: /well-formed/ }, JSON.stringify(body));
  }
  // From the wire: JSON escapes produce the same lone surrogate.
  t.match(fails(parseClientFrame('{"type":"send","room":"1","clientMsgId":"c","body":"a\\ud800b"}', limits)), { code: 'bad_request' });
  t.match(parse({ ...base, body: 'ok 😀 𝄞 汉字' }), { ok: true, frame: { body: 'ok 😀 𝄞 汉字' } });
});

t.test('ids with a lone surrogate are refused: what is stored must match its retry', async (t) => {
  // Found by the frame fuzzer: SQLite stores U+FFFD for a lone surrogate, so the row's
  // clientMsgId differed from the one acked, and a retry with the same id made a second row.
  t.match(fails(parse({ type: 'send', room: '1', clientMsgId: 'c\uD800', body: 'hi' })), { code: 'bad_request', message: /"clientMsgId" is not well-formed/ });
  t.match(fails(parseClientFrame('{"type":"send","room":"1","clientMsgId":"\\udc00x","body":"hi"}', limits)), { code: 'bad_request' });
  t.match(fails(parse({ type: 'history', room: '1\uDBFF' })), { code: 'bad_request', message: /"room"/ });
  t.match(parse({ type: 'send', room: '1', clientMsgId: 'id-😀-汉', body: 'hi' }), { ok: true, frame: { clientMsgId: 'id-😀-汉' } });
});

t.test('sync: since must be an object of room to a non-negative integer', async (t) => {
  for (const since of [undefined, null, [], 'x', 3]) {
    t.match(fails(parse({ type: 'sync', since })), { code: 'bad_request', message: /"since"/ }, JSON.stringify(since));
  }
  for (const seq of [-1, 1.5, '3', null, 2 ** 53]) {
    t.match(fails(parse({ type: 'sync', since: { 1: seq } })), { code: 'bad_request' }, JSON.stringify(seq));
  }
  t.match(fails(parse({ type: 'sync', since: { ['r'.repeat(65)]: 0 } })), { code: 'bad_request' });
  t.match(fails(parse({ type: 'sync', since: { '': 0 } })), { code: 'bad_request' });
});

t.test('sync naming more than maxSyncRooms rooms is too_large', async (t) => {
  t.match(parse({ type: 'sync', since: { 1: 0, 2: 0, 3: 0 } }), { ok: true });
  t.match(fails(parse({ type: 'sync', since: { 1: 0, 2: 0, 3: 0, 4: 0 } })), { code: 'too_large' });
});

t.test('history, read and search refuse wrongly typed numbers', async (t) => {
  t.match(fails(parse({ type: 'history', room: '1', before: 0 })), { code: 'bad_request', message: /"before"/ });
  t.match(fails(parse({ type: 'history', room: '1', before: '5' })), { code: 'bad_request', message: /"before"/ });
  t.match(fails(parse({ type: 'history', room: '1', limit: 0 })), { code: 'bad_request', message: /"limit"/ });
  t.match(fails(parse({ type: 'history', room: '1', limit: 2.5 })), { code: 'bad_request', message: /"limit"/ });
  t.match(fails(parse({ type: 'history' })), { code: 'bad_request', message: /"room"/ });
  t.match(fails(parse({ type: 'read', room: '1' })), { code: 'bad_request', message: /"seq"/ });
  t.match(fails(parse({ type: 'read', room: '1', seq: -1 })), { code: 'bad_request', message: /"seq"/ });
  t.match(fails(parse({ type: 'read', seq: 1 })), { code: 'bad_request', message: /"room"/ });
  t.match(fails(parse({ type: 'typing' })), { code: 'bad_request', message: /"room"/ });
  t.match(fails(parse({ type: 'search' })), { code: 'bad_request', message: /"query"/ });
  t.match(fails(parse({ type: 'search', query: 'q'.repeat(257) })), { code: 'bad_request', message: /"query"/ });
  t.match(fails(parse({ type: 'search', query: 'x', room: 4 })), { code: 'bad_request', message: /"room"/ });
  t.match(fails(parse({ type: 'search', query: 'x', before: -3 })), { code: 'bad_request', message: /"before"/ });
  t.match(parse({ type: 'read', room: '1', seq: 0 }), { ok: true });
});

t.test('limits above the configured maximum are clamped, not refused', async (t) => {
  t.match(parse({ type: 'history', room: '1', limit: 10_000 }), { ok: true, frame: { limit: 200 } });
  t.match(parse({ type: 'sync', since: {}, limit: 10_000 }), { ok: true, frame: { limit: 500 } });
  t.match(parse({ type: 'search', query: 'x', limit: 10_000 }), { ok: true, frame: { limit: 50 } });
  t.match(parse({ type: 'history', room: '1', limit: 200 }), { ok: true, frame: { limit: 200 } });
});

t.test('unknown extra fields are ignored and never reach the typed frame', async (t) => {
  const r = parse({ type: 'ping', evil: 'x', __proto__: { polluted: true } });
  t.same(r, { ok: true, frame: { type: 'ping' } });
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('set_profile carries a display name ("" clears it), an avatar file id or null, or both', async (t) => {
  t.same(parse({ type: 'set_profile', displayName: '王芳' }), { ok: true, frame: { type: 'set_profile', displayName: '王芳', avatar: undefined } });
  t.same(parse({ type: 'set_profile', displayName: '' }), { ok: true, frame: { type: 'set_profile', displayName: '', avatar: undefined } });
  t.same(parse({ type: 'set_profile', avatar: null }), { ok: true, frame: { type: 'set_profile', displayName: undefined, avatar: null } });
  t.match(parse({ type: 'set_profile', avatar: 'Yc1mG1s2vX0-3kqQ7p9aZw', displayName: 'Wang' }), { ok: true, frame: { avatar: 'Yc1mG1s2vX0-3kqQ7p9aZw' } });
  t.match(fails(parse({ type: 'set_profile' })), { code: 'bad_request', message: /needs "displayName" or "avatar"/ });
  t.match(fails(parse({ type: 'set_profile', displayName: 7 })), { code: 'bad_request', message: /"displayName"/ });
  t.match(fails(parse({ type: 'set_profile', displayName: 'x'.repeat(257) })), { code: 'bad_request', message: /"displayName"/ });
  t.match(fails(parse({ type: 'set_profile', avatar: '../etc/passwd' })), { code: 'bad_request', message: /"avatar"/ });
  t.match(fails(parse({ type: 'set_profile', avatar: '' })), { code: 'bad_request', message: /"avatar"/ });
});

t.test('profile names a user', async (t) => {
  t.same(parse({ type: 'profile', user: '12' }), { ok: true, frame: { type: 'profile', user: '12' } });
  t.match(fails(parse({ type: 'profile' })), { code: 'bad_request', message: /"user"/ });
});

t.test('room frames parse into their typed forms', async (t) => {
  t.match(parse({ type: 'create_room', name: 'Garden', topic: '', invite: ['2', '3'], joinRule: 'public', history: 'joined' }),
    { ok: true, frame: { type: 'create_room', name: 'Garden', topic: '', invite: ['2', '3'], joinRule: 'public', history: 'joined' } });
  t.match(parse({ type: 'create_room', name: 'Garden' }), { ok: true, frame: { invite: undefined, joinRule: undefined, history: undefined } });
  t.match(parse({ type: 'open_direct', user: '2' }), { ok: true, frame: { type: 'open_direct', user: '2' } });
  t.match(parse({ type: 'invite', room: '1', user: '2' }), { ok: true, frame: { type: 'invite', room: '1', user: '2' } });
  t.match(parse({ type: 'join', room: '1' }), { ok: true, frame: { type: 'join', room: '1' } });
  t.match(parse({ type: 'leave', room: '1' }), { ok: true, frame: { type: 'leave', room: '1' } });
  t.match(parse({ type: 'update_room', room: '1', avatar: null }), { ok: true, frame: { type: 'update_room', avatar: null, name: undefined } });
  t.match(parse({ type: 'update_room', room: '1', topic: '' }), { ok: true, frame: { topic: '' } });
  t.match(parse({ type: 'set_role', room: '1', user: '2', role: 'moderator' }), { ok: true, frame: { role: 'moderator' } });
  t.match(parse({ type: 'remove_member', room: '1', user: '2' }), { ok: true, frame: { type: 'remove_member', user: '2' } });
  t.match(parse({ type: 'members', room: '1' }), { ok: true, frame: { type: 'members', room: '1' } });
  t.same(parse({ type: 'directory' }), { ok: true, frame: { type: 'directory' } });
  t.same(parse({ type: 'invites' }), { ok: true, frame: { type: 'invites' } });
  t.match(parse({ type: 'users', query: '  ali ' }), { ok: true, frame: { type: 'users', query: 'ali' } });
  t.match(parse({ type: 'users', query: '   ' }), { ok: true, frame: { type: 'users', query: undefined } });
});

t.test('room frames refuse wrong fields with bad_request', async (t) => {
  const bad: unknown[] = [
    { type: 'create_room' },
    { type: 'create_room', name: '' },
    { type: 'create_room', name: 'x', invite: '2' },
    { type: 'create_room', name: 'x', invite: ['2', '2'] },
    { type: 'create_room', name: 'x', invite: ['bob'] },
    { type: 'create_room', name: 'x', joinRule: 'open' },
    { type: 'create_room', name: 'x', history: 'all' },
    { type: 'open_direct', user: 2 },
    { type: 'open_direct', user: '02' },
    { type: 'invite', room: '1' },
    { type: 'update_room', room: '1' },
    { type: 'update_room', room: '1', avatar: 'a/b' },
    { type: 'set_role', room: '1', user: '2' },
    { type: 'set_role', room: '1', user: '2', role: 'admin' },
    { type: 'remove_member', room: '1', user: '' },
  ];
  for (const f of bad) t.equal(fails(parse(f)).code, 'bad_request', JSON.stringify(f));
  t.equal(fails(parse({ type: 'create_room', name: 'x', invite: Array.from({ length: 101 }, (_, i) => String(i + 1)) })).code, 'too_large');
  t.equal(fails(parse({ type: 'create_room', name: 'x', topic: 'y'.repeat(5000) })).code, 'too_large');
});
