import { UsageError } from './io.js';

/** A terminal's input: raw mode lets the password be read without echo. */
export interface TerminalInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface TerminalOutput { write(text: string): unknown }

/** Longest line accepted: past the password policy's own maximum, so the policy is what answers. */
const MAX_CHARS = 4096;

/**
 * Reads one line from a terminal in raw mode, echoing nothing: Enter ends
 * it, Backspace removes a character, Ctrl-C or Ctrl-D abandons it.
 */
export function readHidden(input: TerminalInput, output: TerminalOutput, question: string): Promise<string> {
  output.write(question);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let line = '';
    const finish = (err?: Error): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (err === undefined) resolve(line);
      else reject(err);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError('cancelled; nothing was changed'));
        if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('');
        else if (ch >= ' ' && line.length < MAX_CHARS) line += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Asks for a new password twice at a terminal; the two must match. */
export async function promptNewPassword(input: TerminalInput, output: TerminalOutput): Promise<string> {
  const first = await readHidden(input, output, 'New password: ');
  const second = await readHidden(input, output, 'Repeat it: ');
  if (first !== second) throw new UsageError('the two passwords differ; nothing was changed');
  return first;
}
