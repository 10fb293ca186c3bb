import t from 'tap';
import { oneRoomAnswerJson } from '../../src/matrix/sync-body.js';

t.test('a one-room answer assembled from the room\'s shared text is the text JSON.stringify gives for the whole body', async (t) => {
  const room = {
    timeline: { events: [{ type: 'm.room.message', content: { body: 'quote " backslash \\ brace } 中文 \u2028' } }], limited: false, prev_batch: 'r7' },
    state: { events: [] }, ephemeral: { events: [] }, account_data: { events: [] },
    summary: { 'm.heroes': ['@a:x'], 'm.joined_member_count': 2, 'm.invited_member_count': 0 },
  };
  const unread = { notification_count: 3, highlight_count: 1 };
  const body = {
    next_batch: 's1_2_"3', rooms: { join: { '!r1:x': { ...room, unread_notifications: unread } }, invite: {}, leave: {} },
    account_data: { events: [] }, presence: { events: [] }, to_device: { events: [] }, device_lists: { changed: [], left: [] },
    device_one_time_keys_count: {},
  };
  const text = oneRoomAnswerJson(body.next_batch, '!r1:x', JSON.stringify(room).slice(0, -1), unread);
  t.equal(text, JSON.stringify(body));
});
