import t from 'tap';
import { Membership } from '../../src/chat/membership.js';

t.test('a room\'s version moves with every join, leave and role change in it, and with nothing else', async (t) => {
  const m = Membership.from([{ room_id: 1, user_id: 10 }, { room_id: 2, user_id: 10 }]);
  const seen = new Set<number>([m.version(1), m.version(2)]);
  t.equal(seen.size, 2, 'two rooms loaded at start have versions of their own');
  t.equal(m.version(3), 0, 'a room nobody joined is at 0');

  const before = m.version(1);
  m.isMember(1, 10);
  m.roomsOf(10);
  m.membersOf(1);
  m.roleOf(1, 10);
  t.equal(m.version(1), before, 'reads leave it');

  const changes: Array<[string, () => void]> = [
    ['a join', () => m.add(1, 11)],
    ['a role change', () => m.setRole(1, 11, 'moderator')],
    ['a join with its role and join seq (the events feed mending the cache)', () => m.add(1, 12, { role: 'owner', joinedSeq: 4 })],
    ['a leave', () => m.remove(1, 11)],
  ];
  let last = m.version(1);
  for (const [what, change] of changes) {
    const room2 = m.version(2);
    change();
    t.not(m.version(1), last, `${what} moves it`);
    t.notOk(seen.has(m.version(1)), `to a version the room never had (${what})`);
    seen.add(m.version(1));
    t.equal(m.version(2), room2, `and leaves another room's (${what})`);
    last = m.version(1);
  }
});

t.test('what changes nothing leaves a room\'s version: the events feed repeating what the server already applied', async (t) => {
  const m = Membership.from([{ room_id: 1, user_id: 10, role: 'owner', joined_seq: 3 }, { room_id: 1, user_id: 11 }]);
  const v = m.version(1);
  const noOps: Array<[string, () => void]> = [
    ['a join of a member', () => m.add(1, 11)],
    ['a join of a member with the role and join seq it has', () => m.add(1, 10, { role: 'owner', joinedSeq: 3 })],
    ['a leave of someone not in the room', () => m.remove(1, 12)],
    ['a role change to the role held', () => m.setRole(1, 10, 'owner')],
    ['a role change of a non-member', () => m.setRole(1, 12, 'moderator')],
  ];
  for (const [what, noOp] of noOps) {
    noOp();
    t.equal(m.version(1), v, `${what} leaves it`);
  }
  m.add(1, 10, { role: 'moderator', joinedSeq: 3 });
  t.not(m.version(1), v, 'while a join that brings a new role for a member moves it');
  t.equal(m.roleOf(1, 10), 'moderator', 'and the role is the new one');
});
