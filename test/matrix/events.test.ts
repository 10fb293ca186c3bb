import t from 'tap';
import { EventRenderer, POWER, roleOfPower, roostBody } from '../../src/matrix/events.js';
import { fromRoost, errorBody, matrixError } from '../../src/matrix/errors.js';
import { MatrixIds } from '../../src/matrix/ids.js';

const ids = new MatrixIds('home.lan');
const names = {
  userId: (id: number | string) => ids.user(`u${String(id)}`),
  displayName: (id: number | string) => `User ${String(id)}`,
  /** User 1 has a picture; nobody else does. */
  avatarUrl: (id: number | string) => (String(id) === '1' ? ids.mxc('AV1') : undefined),
};
const r = new EventRenderer(ids, names);
const none = (): Record<string, number> => ({});

t.test('Roost messages render as m.room.message; emotes and replies both ways', async (t) => {
  const ev = r.row({ room: '2', seq: 5, msgId: '9', from: '1', body: 'hi', ts: 1000 }, none);
  t.same(ev, { event_id: '$r2-5', room_id: '!r2:home.lan', sender: '@u1:home.lan', origin_server_ts: 1000, type: 'm.room.message', content: { msgtype: 'm.text', body: 'hi' } });
  t.equal(roostBody('m.emote', 'waves'), '/me waves');
  t.same(r.row({ room: '2', seq: 6, msgId: '10', from: '1', body: '/me waves', ts: 1 }, none).content, { msgtype: 'm.emote', body: 'waves' });
  const reply = r.row({ room: '2', seq: 7, msgId: '11', from: '1', body: 'yes', ts: 1, replyTo: 5 }, none);
  t.same(reply.content['m.relates_to'], { 'm.in_reply_to': { event_id: '$r2-5' } });
  const deleted = r.row({ room: '2', seq: 8, msgId: '12', from: '1', body: '', ts: 1, deleted: true }, none);
  t.same(deleted.content, {}, 'a deleted message is redacted: no content');
});

t.test('timeline entries render as state events; a removal is a leave by someone else', async (t) => {
  const joined = r.row({ room: '2', seq: 1, msgId: '1', from: '3', body: '', ts: 1, event: { kind: 'joined' } }, none);
  t.equal(joined.type, 'm.room.member');
  t.equal(joined.state_key, '@u3:home.lan');
  t.equal(joined.content.membership, 'join');
  const removed = r.row({ room: '2', seq: 2, msgId: '2', from: '1', body: '', ts: 1, event: { kind: 'removed', user: '3' } }, none);
  t.equal(removed.content.membership, 'leave');
  t.equal(removed.sender, '@u1:home.lan');
  t.equal(removed.state_key, '@u3:home.lan', 'kicked: sender is not the state key');
  const created = r.row({ room: '2', seq: 1, msgId: '1', from: '1', body: '', ts: 1, event: { kind: 'created', name: 'x' } }, none);
  t.same(created.content, { creator: '@u1:home.lan', room_version: '10' });
  t.equal(r.row({ room: '2', seq: 3, msgId: '3', from: '1', body: '', ts: 1, event: { kind: 'topic', topic: 'tea' } }, none).type, 'm.room.topic');
});

t.test('changes render as edits, redactions and reactions', async (t) => {
  const edit = r.change({ room: 2, cseq: 4, seq: 5, kind: 'edit', user: 1, ts: 9, body: 'new' });
  t.same(edit?.content['m.relates_to'], { rel_type: 'm.replace', event_id: '$r2-5' });
  t.same(edit?.content['m.new_content'], { msgtype: 'm.text', body: 'new' });
  const del = r.change({ room: 2, cseq: 5, seq: 5, kind: 'delete', user: 1, ts: 9, body: null });
  t.equal(del?.type, 'm.room.redaction');
  t.equal(del?.redacts, '$r2-5');
  const react = r.change({ room: 2, cseq: 6, seq: 5, kind: 'react', user: 1, ts: 9, body: '👍' });
  t.same(react?.content['m.relates_to'], { rel_type: 'm.annotation', event_id: '$r2-5', key: '👍' });
  const unreact = r.change({ room: 2, cseq: 7, seq: 5, kind: 'unreact', user: 1, ts: 9, body: '👍' }, 6);
  t.equal(unreact?.redacts, '$r2-c6', 'taking a reaction back redacts the reaction event');
});

t.test('roles are power levels and back; Roost refusals are Matrix errors', async (t) => {
  t.same(POWER, { owner: 100, moderator: 50, member: 0 });
  t.equal(roleOfPower(100), 'owner');
  t.equal(roleOfPower(75), 'moderator');
  t.equal(roleOfPower(0), 'member');
  t.same(errorBody(fromRoost({ code: 'forbidden', message: 'not a member' })), { errcode: 'M_FORBIDDEN', error: 'not a member' });
  t.same(errorBody(fromRoost({ code: 'rate_limited', message: 'slow', retryAfterMs: 300 })), { errcode: 'M_LIMIT_EXCEEDED', error: 'slow', retry_after_ms: 300 });
  t.equal(fromRoost({ code: 'rate_limited', message: 'slow' }).status, 429);
  t.equal(matrixError(404, 'M_UNRECOGNIZED', 'x').status, 404);
});

t.test('a message with files renders as a media event of its first file; the text is its caption', async (t) => {
  const png = { fileId: 'F1', name: 'cat.png', size: 1234, mime: 'image/png', width: 40, height: 30, thumb: true as const };
  const alone = r.row({ room: '2', seq: 6, msgId: '10', from: '1', body: '', ts: 1000, attachments: [png] }, none);
  t.same(alone.content, { msgtype: 'm.image', body: 'cat.png', url: 'mxc://home.lan/F1', info: { mimetype: 'image/png', size: 1234, w: 40, h: 30 } });
  const captioned = r.row({ room: '2', seq: 7, msgId: '11', from: '1', body: 'our cat', ts: 1000, attachments: [png] }, none);
  t.match(captioned.content, { msgtype: 'm.image', body: 'our cat', filename: 'cat.png', url: 'mxc://home.lan/F1' });
  const pdf = { fileId: 'F2', name: 'a.pdf', size: 9, mime: 'application/pdf' };
  const two = r.row({ room: '2', seq: 8, msgId: '12', from: '1', body: '', ts: 1000, attachments: [pdf, png] }, none);
  t.match(two.content, { msgtype: 'm.file', filename: 'a.pdf', url: 'mxc://home.lan/F2', info: { mimetype: 'application/pdf', size: 9 } });
  t.match(String(two.content.body), /1 more file/, 'the other files are named as left out');
  t.equal(r.row({ room: '2', seq: 9, msgId: '13', from: '1', body: '', ts: 1, attachments: [{ ...pdf, mime: 'video/mp4' }] }, none).content.msgtype, 'm.video');
  t.equal(r.row({ room: '2', seq: 9, msgId: '13', from: '1', body: '', ts: 1, attachments: [{ ...pdf, mime: 'audio/ogg' }] }, none).content.msgtype, 'm.audio');
});

t.test('avatars are mxc urls: a room picture entry, and a member\'s picture on their member event', async (t) => {
  const set = r.row({ room: '2', seq: 10, msgId: '14', from: '1', body: '', ts: 1, event: { kind: 'avatar', fileId: 'RA' } }, none);
  t.same(set.content, { url: 'mxc://home.lan/RA' });
  const cleared = r.row({ room: '2', seq: 11, msgId: '15', from: '1', body: '', ts: 1, event: { kind: 'avatar', fileId: null } }, none);
  t.same(cleared.content, {}, 'a removed picture has no url');
  const joined = r.row({ room: '2', seq: 12, msgId: '16', from: '1', body: '', ts: 1, event: { kind: 'joined' } }, none);
  t.equal(joined.content.avatar_url, 'mxc://home.lan/AV1');
  const other = r.row({ room: '2', seq: 13, msgId: '17', from: '3', body: '', ts: 1, event: { kind: 'joined' } }, none);
  t.notOk('avatar_url' in other.content, 'no picture, no avatar_url');
});
