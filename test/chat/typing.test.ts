import t from 'tap';
import { TypingState } from '../../src/chat/typing.js';

const waitFor = async (done: () => boolean): Promise<void> => {
  // Bounded: the lapses here are tens of ms away.
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

t.test('a typer who stops typing lapses on their own, and the lapse is told like any change', async (t) => {
  const told: number[] = [];
  const typing = new TypingState((room) => told.push(room));
  const now = Date.now();
  typing.set(5, 1, true, now + 30);
  typing.set(5, 2, true, now + 60_000);
  typing.set(6, 3, true, now + 60);
  t.same(told, [5, 5, 6], 'each start is told');
  const serial = typing.serial(5);
  await waitFor(() => told.length === 5);
  t.same(told, [5, 5, 6, 5, 6], 'each lapse is told, room by room, without anyone asking');
  t.ok(typing.serial(5) > serial, 'the room\'s counter moved');
  t.same(typing.typers(5, Date.now()), [2], 'the one still typing stays');
  t.same(typing.typers(6, Date.now()), []);
});

t.test('a typer who keeps typing is not lapsed at their first timeout', async (t) => {
  const told: number[] = [];
  const typing = new TypingState((room) => told.push(room));
  const now = Date.now();
  typing.set(5, 1, true, now + 20);
  typing.set(5, 1, true, now + 60_000);
  await new Promise((r) => setTimeout(r, 60));
  t.same(told, [5], 'only the start');
  t.same(typing.typers(5, Date.now()), [1]);
});

t.test('a failure telling a lapse is reported and the other rooms are still told', async (t) => {
  const told: number[] = [];
  const errors: string[] = [];
  const typing = new TypingState((room) => {
    if (told.push(room) === 3) throw new Error('watch failed');
  }, (err) => errors.push((err as Error).message));
  const now = Date.now();
  typing.set(5, 1, true, now + 20);
  typing.set(6, 1, true, now + 20);
  await waitFor(() => told.length === 4);
  t.same(told, [5, 6, 5, 6]);
  t.same(errors, ['watch failed']);
});

t.test('asking for the typers after a lapse, before the sweep, leaves the lapse to be told', async (t) => {
  const told: number[] = [];
  const typing = new TypingState((room) => told.push(room));
  const now = Date.now();
  typing.set(5, 1, true, now + 30);
  t.same(typing.typers(5, now + 100), [], 'a lapsed typer is not listed');
  await waitFor(() => told.length === 2);
  t.same(told, [5, 5], 'and the sweep still tells the room');
});
