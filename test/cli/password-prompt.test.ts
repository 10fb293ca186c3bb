import { EventEmitter } from 'node:events';
import t from 'tap';
import { promptNewPassword, readHidden } from '../../src/cli/password-prompt.js';

/** A terminal stand-in: what is typed arrives as data events; raw mode and what is written are recorded. */
class FakeTerminal extends EventEmitter {
  isTTY = true;
  raw: boolean[] = [];
  written = '';
  setRawMode(raw: boolean): void { this.raw.push(raw); }
  resume(): void {}
  pause(): void {}
  write(text: string): void { this.written += text; }
  type(text: string): void { this.emit('data', Buffer.from(text)); }
}

t.test('a hidden line is read in raw mode and never echoed; backspace edits it', async (t) => {
  const term = new FakeTerminal();
  const line = readHidden(term, term, 'Password: ');
  term.type('secrex');
  term.type('\u007ft-words\r');
  t.equal(await line, 'secret-words');
  t.equal(term.written, 'Password: \n', 'only the question and the line end are written');
  t.same(term.raw, [true, false], 'raw mode is turned off again');
});

t.test('the new password is asked twice and must match', async (t) => {
  const term = new FakeTerminal();
  const asked = promptNewPassword(term, term);
  term.type('granite-harbor-19\r');
  await new Promise((r) => setImmediate(r));
  term.type('granite-harbor-19\r');
  t.equal(await asked, 'granite-harbor-19');

  const differ = new FakeTerminal();
  const mismatch = promptNewPassword(differ, differ);
  differ.type('granite-harbor-19\r');
  await new Promise((r) => setImmediate(r));
  differ.type('granite-harbor-18\r');
  await t.rejects(mismatch, /the two passwords differ; nothing was changed/);
});

t.test('Ctrl-C abandons the prompt', async (t) => {
  const term = new FakeTerminal();
  const line = readHidden(term, term, 'Password: ');
  term.type('abc\u0003');
  await t.rejects(line, /cancelled/);
  t.same(term.raw, [true, false]);
});
