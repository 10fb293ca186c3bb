import t from 'tap';
import { HeldPolls, FLUSH_SLICE_MS, type HeldPoll } from '../../src/matrix/held-polls.js';
import { roomTopic } from '../../src/chat/ports.js';
import { Membership } from '../../src/chat/membership.js';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A clock that moves `step` ms each time it is read: every re-read "takes" about that long. */
function steppingClock(step: number): () => number {
  let now = 0;
  return () => (now += step);
}

/** A poll of a member of `room` (added to `m`) that records each re-read in `log` and answers (is dropped) when `answers` says so. */
function poll(m: Membership, user: number, room: number, log: number[], answers = true, tokenHash = `token-of-${user}`): HeldPoll {
  m.add(room, user);
  return {
    user, deadline: Number.MAX_SAFE_INTEGER, tokenHash,
    retry: () => {
      log.push(user);
      return answers;
    },
    expire: () => undefined,
    revoked: () => log.push(-user),
  };
}

t.test('the polls one commit wakes are re-read a slice per event-loop turn, oldest first, each once', async (t) => {
  const m = new Membership();
  const reads: number[] = [];
  let flushes = 0;
  let done = 0;
  // The flush reads the clock once at its start and once per poll: steps of 4 against the slice leave 3 polls a turn.
  t.equal(FLUSH_SLICE_MS, 10, 'the slice this test is written for');
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)), steppingClock(4), {
    slice: (wakeUp) => {
      flushes++;
      wakeUp();
    },
    done: () => done++,
  });
  for (let user = 1; user <= 7; user++) polls.hold(poll(m, user, 5, reads));
  polls.topic(roomTopic(5));
  polls.topic(roomTopic(5));
  t.same(reads, [], 'nothing is read inside the commit\'s notice');
  await nextTurn();
  t.same(reads, [1, 2, 3], 'one turn reads one slice');
  t.equal(polls.size, 4, 'the answered polls are dropped');
  t.equal(done, 0, 'what the slices share is kept while woken polls wait');
  await nextTurn();
  t.same(reads, [1, 2, 3, 4, 5, 6]);
  for (let turn = 0; turn < 10 && reads.length < 7; turn++) await nextTurn();
  t.same(reads, [1, 2, 3, 4, 5, 6, 7], 'two notices of one room still read each poll once');
  t.equal(flushes, 3, 'each slice is one shared read');
  t.equal(done, 1, 'the wake-up is done once, after its last slice');
  t.equal(polls.size, 0);
});

t.test('a poll marked while others wait is read after them, and a poll with nothing new stays held', async (t) => {
  const m = new Membership();
  const reads: number[] = [];
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)), steppingClock(12));
  for (let user = 1; user <= 4; user++) polls.hold(poll(m, user, 5, reads, user !== 2));
  polls.hold(poll(m, 9, 6, reads));
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [1], 'a slice always reads at least one poll');
  polls.topic(roomTopic(6));
  polls.topic(roomTopic(5));
  for (let turn = 0; turn < 10 && reads.length < 5; turn++) await nextTurn();
  t.same(reads, [1, 2, 3, 4, 9], 'room 6\'s poll, marked later, waits its turn; polls still waiting are not read twice');
  t.equal(polls.size, 1, 'user 2 found nothing new: still held');
});

t.test('a re-read that throws costs its own poll only; a shared read that throws leaves the polls held', async (t) => {
  const m = new Membership();
  const errors: unknown[] = [];
  const reads: number[] = [];
  let failShared = false;
  let done = 0;
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => errors.push(err), () => 0, {
    slice: (wakeUp) => {
      if (failShared) throw new Error('snapshot failed');
      wakeUp();
    },
    done: () => done++,
  });
  polls.hold(poll(m, 1, 5, reads));
  polls.hold({ ...poll(m, 2, 5, reads), retry: () => { throw new Error('boom'); } });
  polls.hold(poll(m, 3, 5, reads));
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [1, 3], 'the polls after the failing one are answered');
  t.equal(errors.length, 1);
  t.equal(polls.size, 0, 'the failing poll is dropped with the answered ones');

  failShared = true;
  polls.hold(poll(m, 4, 5, reads));
  polls.topic(roomTopic(5));
  await nextTurn();
  await nextTurn();
  t.equal(errors.length, 2, 'reported once, not retried every turn');
  t.equal(polls.size, 1, 'the poll is still held');
  t.equal(done, 2, 'and the failed wake-up\'s share is let go');
  failShared = false;
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [1, 3, 4], 'the next commit reads it');
});

t.test('a flush whose woken polls all went away before it ran reads nothing', async (t) => {
  const m = new Membership();
  let flushes = 0;
  let done = 0;
  const reads: number[] = [];
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)), () => 0, {
    slice: (wakeUp) => {
      flushes++;
      wakeUp();
    },
    done: () => done++,
  });
  const gone = poll(m, 1, 5, reads);
  polls.hold(gone);
  polls.topic(roomTopic(5));
  polls.drop(gone);
  await nextTurn();
  t.equal(flushes, 0, 'no shared read is opened for an empty flush');
  t.equal(done, 1, 'and nothing shared is kept for it');
  polls.hold(poll(m, 2, 5, reads));
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [2], 'the next commit still flushes');
  t.equal(flushes, 1);
});

t.test('a commit wakes only the polls of its room or user; a topic that is not a room\'s wakes nobody', async (t) => {
  const m = new Membership();
  const reads: number[] = [];
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)));
  polls.hold(poll(m, 1, 5, reads));
  polls.hold(poll(m, 2, 6, reads));
  polls.hold(poll(m, 3, 50, reads));
  polls.topic('presence');
  polls.topic('room:5x');
  await nextTurn();
  t.same(reads, [], 'no room named: no poll read');
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [1], 'room 5 wakes its poll, not room 50\'s');
  polls.user(2);
  await nextTurn();
  t.same(reads, [1, 2], 'a user\'s commit wakes that user\'s poll');
  t.equal(polls.size, 1);
});

t.test('a user holding polls from two devices has both woken by their commit, and each forgotten when it goes', async (t) => {
  const m = new Membership();
  const reads: number[] = [];
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)));
  const stays = poll(m, 7, 1, reads, false);
  polls.hold(stays);
  polls.hold(poll(m, 7, 2, reads, true));
  polls.user(7);
  await nextTurn();
  t.same(reads, [7, 7], 'both devices\' polls are read');
  t.equal(polls.size, 1, 'the one that answered is dropped');
  polls.user(7);
  await nextTurn();
  t.same(reads, [7, 7, 7], 'the next commit reads the one left');
  polls.drop(stays);
  polls.user(7);
  await nextTurn();
  t.same(reads, [7, 7, 7], 'none is left to read');
  t.equal(polls.size, 0);
});

t.test('revoking tokens answers the user\'s polls held with them as revoked, and no commit reaches them after', async (t) => {
  const m = new Membership();
  const log: number[] = [];
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)));
  const phone = poll(m, 1, 5, log, true, 'phone');
  const laptop = poll(m, 1, 5, log, true, 'laptop');
  const other = poll(m, 2, 5, log, true, 'phone');
  for (const p of [phone, laptop, other]) polls.hold(p);
  polls.revoke(1, ['phone', 'tablet']);
  t.same(log, [-1], 'the phone\'s poll is answered as revoked; the laptop\'s and another user\'s token of the same text are not');
  t.equal(polls.size, 2);
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(log.slice(1).sort(), [1, 2], 'the commit wakes the two left, not the revoked one');
  polls.revoke(3, ['phone']);
  t.equal(log.length, 3, 'a user with no held polls: nothing');
});

t.test('a commit wakes the room\'s members as they are now: one added while holding is woken, one who left is not', async (t) => {
  const m = new Membership();
  const reads: number[] = [];
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)));
  polls.hold(poll(m, 1, 5, reads, false));
  polls.hold(poll(m, 2, 6, reads, false));
  m.add(5, 2);
  m.remove(5, 1);
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [2], 'user 2, added to room 5 after holding, is read; user 1, gone from it, is not');
});

t.test('a room of many members with few polls held wakes exactly its members\' polls, whichever side is walked', async (t) => {
  const m = new Membership();
  const reads: number[] = [];
  const polls = new HeldPolls((room) => m.membersOf(room), (err) => t.fail(String(err)));
  for (let user = 100; user < 300; user++) m.add(5, user);
  polls.hold(poll(m, 150, 5, reads, false));
  polls.hold(poll(m, 7, 6, reads, false));
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [150], 'more members than polls: the polls are walked, the member\'s is read');
  for (let user = 1000; user < 1400; user++) polls.hold(poll(m, user, 6, reads, false));
  polls.topic(roomTopic(5));
  await nextTurn();
  t.same(reads, [150, 150], 'more polls than members: the members are walked, the same one poll is read');
});
