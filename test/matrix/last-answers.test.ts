import t from 'tap';
import { LastAnswers } from '../../src/matrix/last-answers.js';
import { roomTopic } from '../../src/chat/ports.js';

/** Alice (1) in rooms 10 and 11; Bob (2) in room 11. */
function setup(): { answers: LastAnswers; rooms: Map<number, Set<number>> } {
  const rooms = new Map<number, Set<number>>([[1, new Set([10, 11])], [2, new Set([11])]]);
  return { answers: new LastAnswers((user) => rooms.get(user) ?? new Set()), rooms };
}

t.test('the token a device was just answered, with nothing told since, is unchanged', async (t) => {
  const { answers } = setup();
  answers.answered(1, 'PHONE', 's5_1_0');
  t.ok(answers.unchanged(1, 'PHONE', 's5_1_0'));
  t.notOk(answers.unchanged(1, 'PHONE', 's4_1_0'), 'an older token is read again');
  t.notOk(answers.unchanged(1, 'LAPTOP', 's5_1_0'), 'another device has no record');
  t.notOk(answers.unchanged(2, 'PHONE', 's5_1_0'), 'nor another user');
});

t.test('each of a user\'s devices keeps its own last answer', async (t) => {
  const { answers } = setup();
  answers.answered(1, 'PHONE', 's5_1_0');
  answers.answered(1, 'LAPTOP', 's6_1_0');
  answers.answered(1, undefined, 's7_1_0');
  t.ok(answers.unchanged(1, 'PHONE', 's5_1_0'), 'the phone\'s token survives the laptop\'s answer');
  t.ok(answers.unchanged(1, 'LAPTOP', 's6_1_0'));
  t.ok(answers.unchanged(1, undefined, 's7_1_0'), 'a token with no device is a device of its own');
  answers.answered(1, 'PHONE', 's8_1_0');
  t.notOk(answers.unchanged(1, 'PHONE', 's5_1_0'), 'a device\'s new answer replaces its old one');
  t.ok(answers.unchanged(1, 'PHONE', 's8_1_0'));
  t.ok(answers.unchanged(1, 'LAPTOP', 's6_1_0'), 'and leaves the other devices\' alone');
});

t.test('a user keeps the records of their 16 newest devices: one that signs in afresh each run does not grow the list', async (t) => {
  const { answers } = setup();
  for (let run = 0; run < 40; run++) answers.answered(1, `BOT${run}`, `s${run}_1_0`);
  t.notOk(answers.unchanged(1, 'BOT0', 's0_1_0'), 'the oldest device lost its record (its next poll is read)');
  t.notOk(answers.unchanged(1, 'BOT23', 's23_1_0'));
  for (let run = 24; run < 40; run++) t.ok(answers.unchanged(1, `BOT${run}`, `s${run}_1_0`), `BOT${run} kept`);
  answers.answered(2, 'PHONE', 's1_1_0');
  t.ok(answers.unchanged(2, 'PHONE', 's1_1_0'), 'other users are not touched');
});

t.test('a commit told in one of the user\'s rooms, or to the user, ends it', async (t) => {
  const { answers } = setup();
  answers.answered(1, 'PHONE', 'a');
  answers.answered(2, 'PHONE', 'b');
  answers.topic(roomTopic(10));
  t.notOk(answers.unchanged(1, 'PHONE', 'a'), 'room 10 is Alice\'s');
  t.ok(answers.unchanged(2, 'PHONE', 'b'), 'room 10 is not Bob\'s');
  answers.user(2);
  t.notOk(answers.unchanged(2, 'PHONE', 'b'), 'told to Bob himself');
  answers.answered(1, 'PHONE', 'c');
  t.ok(answers.unchanged(1, 'PHONE', 'c'), 'an answer after the commit holds it');
});

t.test('a topic that is not a room\'s ends every record', async (t) => {
  const { answers } = setup();
  answers.answered(2, undefined, 'b');
  answers.topic('everyone');
  t.notOk(answers.unchanged(2, undefined, 'b'));
});

t.test('a room left since the answer is noticed though it is no longer the user\'s', async (t) => {
  const { answers, rooms } = setup();
  answers.answered(1, 'PHONE', 'a');
  rooms.get(1)?.delete(11);
  t.notOk(answers.unchanged(1, 'PHONE', 'a'));
});
