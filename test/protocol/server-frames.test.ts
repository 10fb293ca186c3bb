import t from 'tap';
import { readFileSync } from 'node:fs';
import { encodeFrame, type ServerFrameOf, type ServerFrameType } from '../../src/protocol/server-frames.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

const message = { room: '3', seq: 17, msgId: '1042', from: '5', body: 'see you at 8 — 见', ts: 1767225600123 };

/**
 * At least one of every frame the server sends. Typed by the union, so a frame
 * type added to ServerFrame without a sample here does not compile.
 */
const SAMPLES: { [T in ServerFrameType]: [ServerFrameOf<T>, ...Array<ServerFrameOf<T>>] } = {
  ack: [{ type: 'ack', id: 'a1', room: '3', seq: 17, msgId: '1042', ts: 1767225600123 }, { type: 'ack', room: '3', seq: 18, msgId: '1043', ts: 1767225600124 }],
  synced: [{
    type: 'synced', id: 's1', rooms: [
      { room: '3', messages: [message], more: false },
      { room: '8', messages: [], more: true, changes: [{ cseq: 4, type: 'edited', seq: 2, body: 'new', editedAt: 5, mentions: ['7'] }, { cseq: 5, type: 'deleted', seq: 3 }, { cseq: 6, type: 'reaction', seq: 2, emoji: '👍', user: '7', on: false }], moreChanges: false, lastCseq: 6 },
    ],
  }],
  history: [{ type: 'history', id: 'h1', room: '3', messages: [message, { ...message, seq: 18, body: '', deleted: true }], more: false, horizon: 12 }],
  results: [{ type: 'results', id: 'f1', hits: [{ ...message, snippet: '…see you', highlights: [[1, 4]] }] }],
  rooms: [{
    type: 'rooms', id: 'r1', editWindowSeconds: 900,
    rooms: [{ room: '3', name: 'general', kind: 'group', lastSeq: 17, readSeq: 15, unread: 2, mentions: 1, lastCseq: 6, muted: true, notify: 'mentions' }],
    rateLimits: { framesPerSecond: 20, frameBurst: 40, userFramesPerSecond: 40, userFrameBurst: 80 },
  }],
  ok: [{ type: 'ok', id: 'e1', cseq: 7 }, { type: 'ok', id: 'n1' }, { type: 'ok', id: 'j1', room: '4' }, { type: 'ok', id: 'd1', room: '12', created: true }],
  pong: [{ type: 'pong', id: 'p1' }, { type: 'pong' }],
  members: [{ type: 'members', id: 'm1', room: '3', members: [{ user: '5', role: 'owner' }, { user: '7', role: 'member' }], invited: [{ user: '9', by: '5' }] }],
  directory: [{ type: 'directory', id: 'd2', rooms: [{ room: '4', name: 'garden', topic: 'tomatoes', avatar: 'Yc1mG1s2vX0-3kqQ7p9aZw', members: 3 }, { room: '6', name: 'films', topic: '', members: 1 }] }],
  invites: [{ type: 'invites', id: 'i1', invites: [{ room: '8', name: 'trip', topic: 'June', by: '5', at: 1767225600123 }] }, { type: 'invites', invites: [] }],
  users: [{ type: 'users', id: 'w1', users: [{ user: '7', name: 'wang', displayName: '王芳', avatar: 'Yc1mG1s2vX0-3kqQ7p9aZw' }, { user: '9', name: 'bob', displayName: '' }] }],
  presence: [
    { type: 'presence', id: 'q1', room: '3', online: 2, away: 1, users: [{ user: '5', state: 'away', lastSeen: 1767225600123 }, { user: '9', state: 'offline', lastSeen: null }] },
    { type: 'presence', user: '5', state: 'online', lastSeen: 1767225600123 },
  ],
  error: [
    { type: 'error', id: 'a2', code: 'forbidden', message: 'not a member of room "9"' },
    { type: 'error', id: 'a3', code: 'rate_limited', message: 'slow down', retryAfterMs: 250 },
    { type: 'error', code: 'bad_request', message: 'frames must be UTF-8 text' },
    { type: 'error', id: 'a4', code: 'forbidden', reason: 'not_allowed_for_role', message: 'only owners may do that' },
  ],
  message: [{ type: 'message', ...message, clientMsgId: '9f2c-0001', replyTo: 16, mentions: ['7'], attachments: [{ fileId: 'Yc1m', name: 'plan.png', size: 48213, mime: 'image/png', width: 1200, height: 800, thumb: true }] }],
  edited: [{ type: 'edited', room: '3', seq: 17, body: 'see you at 9', editedAt: 1767225700000, cseq: 8 }],
  deleted: [{ type: 'deleted', room: '3', seq: 17, cseq: 9 }],
  reaction: [{ type: 'reaction', room: '3', seq: 17, emoji: '🎉', user: '7', on: true, cseq: 10 }],
  receipt: [{ type: 'receipt', room: '3', user: '7', seq: 17 }],
  receipts: [{ type: 'receipts', room: '3', reads: [{ user: '7', seq: 17 }, { user: '9', seq: 16 }] }],
  typing: [{ type: 'typing', room: '3', user: '7' }],
  profile: [
    { type: 'profile', id: 'u1', user: '7', name: 'wang', displayName: '王芳', avatar: 'Yc1mG1s2vX0-3kqQ7p9aZw' },
    { type: 'profile', user: '9', name: 'bob', displayName: '' },
  ],
  room: [{ type: 'room', room: '3', event: 'joined', user: '7' }, { type: 'room', room: '3', event: 'left', user: '7' }, { type: 'room', room: '4', event: 'created', user: '5' },
    { type: 'room', room: '8', event: 'invited', user: '9' }, { type: 'room', room: '3', event: 'updated', user: '0' }],
};

t.test('every frame the server sends encodes to JSON that parses back to the same frame, type first', async (t) => {
  for (const [type, samples] of Object.entries(SAMPLES)) {
    for (const frame of samples) {
      const text = encodeFrame(frame);
      t.strictSame(JSON.parse(text), frame, `${type}: ${text.slice(0, 60)}`);
      // Metrics label frames by this prefix without parsing them (gateway/metrics.ts).
      t.ok(text.startsWith(`{"type":"${type}"`), `${type}: the type leads`);
    }
  }
});

t.test('every frame type the server sends is described in docs/protocol.md', async (t) => {
  for (const type of Object.keys(SAMPLES)) {
    t.ok(doc.includes(`{"type":"${type}"`), `docs/protocol.md shows a {"type":"${type}"…} frame`);
  }
});
