import t from 'tap';
import { decodeRoomToken, decodeSince, encodeRoomToken, encodeSince } from '../../src/matrix/sync-token.js';
import { readFilter } from '../../src/matrix/filters.js';

t.test('since tokens are persisted positions and decode back', async (t) => {
  const p = { msg: 1234, stream: 56, typing: 7 };
  t.same(decodeSince(encodeSince(p)), p);
  t.same(decodeSince('s10_2'), { msg: 10, stream: 2, typing: 0 }, 'a token without the typing part is still good');
  t.equal(decodeSince('garbage'), null);
  t.equal(decodeSince('s1_2_3_4'), null);
  t.equal(decodeRoomToken(encodeRoomToken(99)), 99);
  t.equal(decodeRoomToken('s1_2'), null, 'a sync token is not a room token');
});

t.test('filters: the timeline limit (capped) and lazy members are honoured', async (t) => {
  t.same(readFilter({}, 500), { timelineLimit: 10, lazyMembers: false });
  t.same(readFilter({ room: { timeline: { limit: 3 }, state: { lazy_load_members: true } } }, 500), { timelineLimit: 3, lazyMembers: true });
  t.equal(readFilter({ room: { timeline: { limit: 100000 } } }, 500).timelineLimit, 500, 'capped by the server');
  t.equal(readFilter({ room: { timeline: { limit: -1 } } }, 500).timelineLimit, 10, 'nonsense falls back to the default');
  t.same(readFilter({ room: { rooms: ['!r1:x'] } }, 500).rooms, ['!r1:x']);
});
