/**
 * A Matrix app nobody on the team wrote: Debian's nheko (Qt desktop client),
 * run under a private X server, logs in to Roost through its own login form
 * over plain HTTP on 127.0.0.1, opens a room that holds a message sent
 * natively, and answers in it. What nheko did is checked on Roost's side:
 * its login is a session (device "nheko-test"), the read marker it sets on
 * opening the room reaches a native client as a receipt for that message,
 * and what it types arrives natively from the same account.
 *
 * Screen positions are nheko 0.11.3's layout in a fresh profile at
 * 1024×768; each step waits for the pixel that shows the form or list is
 * drawn before clicking it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Desktop } from '../helpers/desktop.js';
import { startTestServer } from '../helpers/server.js';

const LOGIN_BUTTON = { x: 614, y: 432, colour: 'srgb(70,77,93)' };
/** The underline of a form field nheko has drawn (light blue). */
const FIELD_LINE = 'srgb(56,163,216)';
const MATRIX_ID_LINE = { x: 533, y: 286 };
const HOMESERVER_LINE = { x: 533, y: 409 };
const HOMESERVER_FIELD = { x: 530, y: 396 };
/** The login button under the form once the homeserver field is shown. */
const FORM_LOGIN_BUTTON = { x: 533, y: 506 };
/** The room list's dark background: the chat page is up (the login page is white there). */
const ROOM_LIST = { x: 150, y: 300, colour: 'srgb(35,54,73)' };
/** The first row of the room list: white once a room is listed (the empty list is dark). */
const FIRST_ROOM = { x: 150, y: 55, colour: 'srgb(255,255,255)' };
/** nheko draws its window 600 px high in a fresh profile; the screenshot keeps that part. */
const WINDOW_HEIGHT = 600;

t.test('nheko logs in to Roost, shows a room with a message sent natively, and writes into it', async (t) => {
  // localhost as server_name: nheko's https .well-known lookup fails at once (nothing on :443), so it asks for the address.
  const srv = await startTestServer({ matrixServerName: 'localhost' });
  t.teardown(() => srv.close());
  const alice = await srv.user('alice');
  const bob = await srv.user('bob');
  const room = await srv.room('family', ['alice', 'bob']);
  const b = await srv.connect(bob.token);
  const sent = await b.request({ type: 'send', room, body: 'hello from Roost', clientMsgId: 'native-1' });
  t.equal(sent.type, 'ack', 'the native message is stored');

  const desktop = await Desktop.start();
  t.teardown(() => desktop.close());
  /** nheko in a fresh profile of its own. */
  const startNheko = (): ChildProcess => {
    const home = mkdtempSync(join(tmpdir(), 'roost-nheko-'));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    // No keyring on a CI machine: nheko keeps its secrets in its own config instead of asking D-Bus.
    mkdirSync(join(home, '.config', 'nheko'), { recursive: true });
    writeFileSync(join(home, '.config', 'nheko', 'nheko.conf'), '[General]\nrun_without_secure_secrets_service=true\n');
    return desktop.launch('nheko', [], { HOME: home, QT_QPA_PLATFORM: 'xcb', XDG_RUNTIME_DIR: home });
  };
  const first = startNheko();
  try {
    await desktop.waitForPixel(LOGIN_BUTTON.x, LOGIN_BUTTON.y, LOGIN_BUTTON.colour, 'the welcome screen');
  } catch (err) {
    // Once in about twenty runs nheko's first window never appeared (a black screen for the whole
    // minute), before Roost was asked anything: nheko's start under Xvfb, not what this test is
    // about. It gets one more start in a fresh profile; a second failure fails the test.
    t.comment(`nheko started again: ${(err as Error).message}`);
    first.kill('SIGKILL');
    startNheko();
    await desktop.waitForPixel(LOGIN_BUTTON.x, LOGIN_BUTTON.y, LOGIN_BUTTON.colour, 'the welcome screen');
  }
  await desktop.click(LOGIN_BUTTON.x, LOGIN_BUTTON.y);
  await desktop.waitForPixel(MATRIX_ID_LINE.x, MATRIX_ID_LINE.y, FIELD_LINE, 'the login form');
  await desktop.click(MATRIX_ID_LINE.x, MATRIX_ID_LINE.y - 11);
  await desktop.type('@alice:localhost');
  await desktop.key('Tab');
  await desktop.type(alice.password);
  await desktop.key('Tab');
  await desktop.type('nheko-test');
  // Discovery over https fails; nheko then shows the homeserver address field.
  await desktop.waitForPixel(HOMESERVER_LINE.x, HOMESERVER_LINE.y, FIELD_LINE, 'the homeserver field');
  await desktop.click(HOMESERVER_FIELD.x, HOMESERVER_FIELD.y);
  await desktop.key('ctrl+a');
  await desktop.type(srv.http);
  // nheko checks the address it was given (versions, login flows) before its button logs in:
  // press it until the chat page shows, a bounded number of times.
  for (let attempt = 0; attempt < 6; attempt++) {
    await desktop.click(FORM_LOGIN_BUTTON.x, FORM_LOGIN_BUTTON.y);
    try {
      await desktop.waitForPixel(ROOM_LIST.x, ROOM_LIST.y, ROOM_LIST.colour, 'the chat page after login', 10_000);
      break;
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
  await desktop.waitForPixel(FIRST_ROOM.x, FIRST_ROOM.y, FIRST_ROOM.colour, 'the room in the list after the first sync', 90_000);
  const devices = srv.admin((db) => db.prepare('SELECT device FROM tokens WHERE user_id = ? AND revoked_at IS NULL').all(Number(alice.id)) as Array<{ device: string }>);
  t.ok(devices.some((d) => d.device === 'nheko-test'), 'nheko\'s login is one of alice\'s sessions, named as nheko named it');

  // Opening the room shows its timeline; nheko marks the newest message it shows as read.
  await desktop.click(FIRST_ROOM.x - 20, FIRST_ROOM.y + 15);
  const receipt = await b.next((f) => (f.type === 'receipt' && f.user === alice.id)
    || (f.type === 'receipts' && Array.isArray(f.reads) && f.reads.some((r: { user: string }) => r.user === alice.id)), 60_000);
  const seq = receipt.type === 'receipt' ? receipt.seq : (receipt.reads as Array<{ user: string; seq: number }>).find((r) => r.user === alice.id)?.seq;
  t.equal(seq, sent.seq, 'nheko read the native message: its marker is that message\'s seq');

  await desktop.type('hi from nheko');
  await desktop.key('Return');
  const reply = await b.next((f) => f.type === 'message' && f.body === 'hi from nheko', 60_000);
  t.equal(reply.from, alice.id, 'what nheko sends arrives natively, from alice');
  t.equal(reply.room, room, 'in the room nheko showed');

  const shots = process.env.ROOST_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'roost-nheko-shot-'));
  if (process.env.ROOST_SCREENSHOTS === undefined) t.teardown(() => rmSync(shots, { recursive: true, force: true }));
  const shot = join(shots, 'nheko.png');
  await desktop.screenshot(shot, WINDOW_HEIGHT);
});
