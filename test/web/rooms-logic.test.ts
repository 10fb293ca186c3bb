/**
 * The rooms and accounts client logic, in Node: names shown for people and
 * rooms, initials, room changes as timeline lines, which controls a role
 * gets, and refusals in words.
 */
import t from 'tap';
import { buildRows } from '../../src/web/message-rows.js';
import { newRoom, unreadCount, withLiveMessage } from '../../src/web/room-state.js';
import { initialsOf, labelsOf, roomTitle, withPeople } from '../../src/web/people.js';
import { refusalText } from '../../src/web/refusals.js';
import { mayActInRoom, mayLeave, mayRemove, maySetRole, type RoomAction } from '../../src/chat/policy.js';
import { LEAST_ROLE, memberPowers, ROLES, roomPowers } from '../../src/web/room-powers.js';
import type { RoomEvent, WireMessage } from '../../src/web/protocol.js';
import { describeEvent } from '../../src/web/timeline-events.js';

t.test('people are shown by display name, else sign-in name; updates merge field by field', async (t) => {
  let people = withPeople({}, [{ id: '1', name: 'alice' }, { id: '2', name: 'bob', displayName: 'Bob B.', avatar: 'f9' }]);
  t.same(labelsOf(people), { 1: 'alice', 2: 'Bob B.' });
  people = withPeople(people, [{ id: '2', displayName: '' }]);
  t.same(people['2'], { name: 'bob', displayName: '', avatar: 'f9' }, 'a profile push keeps the name and avatar it does not carry');
  t.equal(labelsOf(people)['2'], 'bob', 'no display name: the sign-in name');
  people = withPeople(people, [{ id: '2', avatar: null }]);
  t.equal(people['2']?.avatar, undefined, 'avatar null removes the picture');
  t.equal(labelsOf(withPeople({}, [{ id: '3', name: 'carol', displayName: '  王小明 ' }]))['3'], '王小明', 'display names are trimmed');
});

t.test('initials are whole characters: two words, one CJK character, or one emoji', async (t) => {
  t.equal(initialsOf('Ada Lovelace'), 'AL');
  t.equal(initialsOf('bob'), 'B');
  t.equal(initialsOf('mary-jane.watson'), 'MJ');
  t.equal(initialsOf('王小明'), '王');
  t.equal(initialsOf('王 小明'), '王', 'a Han first character stands alone');
  t.equal(initialsOf('🐦 birds'), '🐦', 'never half a surrogate pair');
  t.equal(initialsOf('   '), '?');
});

t.test('a direct room is named by the other person; a group room by its name', async (t) => {
  const names = { 1: 'Alice A.', 2: 'Bob B.' };
  t.equal(roomTitle({ kind: 'direct', name: 'alice & bob', peer: '2', members: null }, names, '1'), 'Bob B.');
  t.equal(roomTitle({ kind: 'direct', name: 'alice & bob', peer: null, members: ['1', '2'] }, names, '2'), 'Alice A.', 'the peer found among the members');
  t.equal(roomTitle({ kind: 'direct', name: 'alice & bob', peer: '9', members: null }, names, '1'), 'alice & bob', 'unknown peer: the room\'s name');
  t.equal(roomTitle({ kind: 'group', name: 'general', peer: null, members: ['1'] }, names, '1'), 'general');
});

t.test('room changes read as sentences with the names shown', async (t) => {
  const label = (id: string): string => ({ 1: 'Alice', 2: 'Bob' })[id] ?? 'Unknown';
  const cases: Array<[RoomEvent, string]> = [
    [{ kind: 'created', name: 'trips' }, 'Alice created the room “trips”'],
    [{ kind: 'invited', user: '2' }, 'Alice invited Bob'],
    [{ kind: 'joined' }, 'Alice joined'],
    [{ kind: 'declined' }, 'Alice declined the invitation'],
    [{ kind: 'left' }, 'Alice left'],
    [{ kind: 'removed', user: '2' }, 'Alice removed Bob'],
    [{ kind: 'role', user: '2', role: 'moderator' }, 'Alice made Bob moderator'],
    [{ kind: 'name', name: 'holidays' }, 'Alice renamed the room to “holidays”'],
    [{ kind: 'topic', topic: 'Where next?' }, 'Alice set the topic to “Where next?”'],
    [{ kind: 'topic', topic: '' }, 'Alice cleared the topic'],
    [{ kind: 'avatar', fileId: '5' }, 'Alice changed the room picture'],
    [{ kind: 'avatar', fileId: null }, 'Alice removed the room picture'],
    [{ kind: 'join_rule', joinRule: 'public' }, 'Alice made the room open to everyone on the server'],
    [{ kind: 'join_rule', joinRule: 'invite' }, 'Alice made the room invite-only'],
    [{ kind: 'history', history: 'joined' }, 'Alice made new members see only messages from when they join'],
    [{ kind: 'history', history: 'shared' }, 'Alice let new members read earlier messages'],
  ];
  for (const [ev, text] of cases) t.equal(describeEvent(ev, '1', label), text, ev.kind);
  t.equal(describeEvent({ kind: 'invited', user: '2' }, '1', label, '2'), 'Alice invited you', 'the reader is "you"');
  t.equal(describeEvent({ kind: 'removed', user: '2' }, '1', label, '1'), 'You removed Bob');
});

t.test('a room change is a line of its own between message groups', async (t) => {
  const base = 1_700_000_000_000;
  const m = (seq: number, from: string, event?: RoomEvent): WireMessage => ({ room: '1', seq, msgId: String(seq), from, body: '', ts: base + seq * 1000, ...(event ? { event } : {}) });
  const rows = buildRows([m(1, 'a'), m(2, 'a', { kind: 'topic', topic: 'x' }), m(3, 'a'), m(4, 'a')], null);
  t.same(rows.map((r) => (r.kind === 'group' ? `g:${r.messages.map((x) => x.seq).join(',')}` : r.kind === 'event' ? `e:${r.m.seq}` : r.kind)), ['day', 'g:1', 'e:2', 'g:3,4']);
});

t.test('settings show only what the user\'s role allows, by the server\'s rules', async (t) => {
  const room = { kind: 'group' as const, joinRule: 'invite' as const };
  t.same(roomPowers({ ...room, role: 'member' }, 'member'), { rename: false, topic: false, avatar: false, joinRule: false, history: false, invite: true, leave: true });
  t.same(roomPowers({ ...room, role: 'moderator' }, 'member'), { rename: true, topic: true, avatar: true, joinRule: false, history: false, invite: true, leave: true });
  t.same(roomPowers({ ...room, role: 'owner' }, 'member', { 1: 'owner', 2: 'member' }),
    { rename: true, topic: true, avatar: true, joinRule: true, history: true, invite: true, leave: false }, 'the last owner with others in the room may not leave');
  t.ok(roomPowers({ ...room, role: 'member' }, 'admin').joinRule, 'a server admin counts as an owner');
  t.same(roomPowers({ kind: 'direct', joinRule: 'invite', role: 'owner' }, 'member'), { rename: false, topic: false, avatar: false, joinRule: false, history: false, invite: false, leave: false }, 'a direct room has no settings');
});

t.test('members can be managed only below one\'s own role, never leaving the room ownerless', async (t) => {
  const room = { kind: 'group' as const, joinRule: 'invite' as const };
  const roles = { 1: 'owner', 2: 'moderator', 3: 'member' } as const;
  t.same(memberPowers({ ...room, role: 'owner' }, 'member', roles, '3'), { remove: true, roles: ['moderator', 'owner'] });
  t.same(memberPowers({ ...room, role: 'moderator' }, 'member', roles, '3'), { remove: true, roles: ['moderator'] }, 'a moderator cannot make owners');
  t.same(memberPowers({ ...room, role: 'moderator' }, 'member', roles, '1'), { remove: false, roles: [] }, 'nor touch an owner');
  t.same(memberPowers({ ...room, role: 'member' }, 'member', roles, '3'), { remove: false, roles: [] }, 'a member manages no one');
});

t.test('refusals are shown in words by their reason, else by the server\'s message', async (t) => {
  t.equal(refusalText({ code: 'forbidden', reason: 'not_allowed_for_role', message: 'x' }), 'Your role in this room does not allow that.');
  t.equal(refusalText({ code: 'conflict', reason: 'last_owner', message: 'x' }), 'The room would have no owner: make someone else owner first.');
  t.equal(refusalText({ code: 'bad_request', message: 'name too long' }), 'name too long');
  t.equal(refusalText({ code: 'forbidden', reason: 'some_new_reason', message: 'new' }), 'new', 'an unknown reason falls back to the message');
});

t.test('the client\'s mirror of the role table agrees with the server\'s rules', async (t) => {
  const actions: Record<keyof typeof LEAST_ROLE, RoomAction> = { rename: 'rename', topic: 'set_topic', avatar: 'set_avatar', joinRule: 'set_join_rule', history: 'set_history', invite: 'invite' };
  for (const kind of ['group', 'direct'] as const) {
    for (const role of ROLES) {
      const roles = { me: role, other: 'owner' as const, third: 'member' as const };
      const facts = { kind, joinRule: 'invite' as const, owners: Object.values(roles).filter((r) => r === 'owner').length, joined: 3 };
      const powers = roomPowers({ kind, role, joinRule: 'invite' }, 'member', roles);
      for (const [k, action] of Object.entries(actions)) {
        t.equal(powers[k as keyof typeof actions], mayActInRoom(facts, { state: 'joined', role }, action).ok, `${kind} ${role} ${action}`);
      }
      if (kind === 'group') t.equal(powers.leave, mayLeave(facts, { state: 'joined', role }).ok, `${role} leave`);
      for (const target of ROLES) {
        const withTarget = { me: role, them: target, keeper: 'owner' as const };
        const f = { kind, joinRule: 'invite' as const, owners: Object.values(withTarget).filter((r) => r === 'owner').length, joined: 3 };
        const mp = memberPowers({ kind, role, joinRule: 'invite' }, 'member', withTarget, 'them');
        t.equal(mp.remove, mayRemove(f, { state: 'joined', role }, { state: 'joined', role: target }).ok, `${kind} ${role} removes ${target}`);
        const allowed = ROLES.filter((r) => r !== target && maySetRole(f, { state: 'joined', role }, { state: 'joined', role: target }, r).ok);
        t.same(mp.roles, allowed, `${kind} ${role} sets roles of ${target}`);
      }
    }
  }
});

t.test('a room change arriving in a room read to its end is not unread; a message is', async (t) => {
  const read = newRoom({ room: '1', name: 'general', kind: 'group', lastSeq: 5, readSeq: 5, unread: 0 });
  const entry: WireMessage = { room: '1', seq: 6, msgId: '6', from: '2', body: '', ts: 1, event: { kind: 'joined' } };
  t.equal(unreadCount(withLiveMessage(read, entry, '1').room), 0);
  t.equal(unreadCount(withLiveMessage(read, { ...entry, event: undefined, body: 'hi' }, '1').room), 1);
  const behind = { ...read, readSeq: 3 };
  t.equal(unreadCount(withLiveMessage(behind, entry, '1').room), 3, 'behind already: the read marker stays where the server has it');
});
