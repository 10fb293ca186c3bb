/**
 * A client retries a request whose answer it lost (the reason Matrix has
 * transaction ids): an edit or a reaction sent again changes nothing more and
 * is answered with the event the first one made.
 */
import t from 'tap';
import { openReadOnly } from '../../src/store/db/database.js';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test('an edit sent again stores one edit and answers the same event', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const phone = await matrixLogin(s, 'alice', alice.password, 'PHONE');
  const room = await s.room('general', ['alice']);
  const base = `/_matrix/client/v3/rooms/!r${room}:${NAME}`;
  const sent = await mx(s, 'PUT', `${base}/send/m.room.message/m1`, { token: phone.token, body: { msgtype: 'm.text', body: 'helo' } });
  t.equal(sent.status, 200);
  const edit = {
    msgtype: 'm.text', body: '* hello',
    'm.new_content': { msgtype: 'm.text', body: 'hello' },
    'm.relates_to': { rel_type: 'm.replace', event_id: sent.body.event_id },
  };
  const first = await mx(s, 'PUT', `${base}/send/m.room.message/e1`, { token: phone.token, body: edit });
  // The response was "lost": the client retries the same transaction.
  const again = await mx(s, 'PUT', `${base}/send/m.room.message/e1`, { token: phone.token, body: edit });
  t.equal(first.status, 200);
  t.equal(again.status, 200);
  t.equal(again.body.event_id, first.body.event_id, 'the retry answers the same event id');
  const db = openReadOnly(s.dataDir);
  const edits = (db.prepare("SELECT count(*) AS n FROM message_changes WHERE kind = 'edit'").get() as { n: number }).n;
  db.close();
  t.equal(edits, 1, 'one edit stored for one transaction');
});

t.test('a reaction sent again answers the reaction\'s own event, never a newer one of someone else\'s, and its sender can redact it', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const a = await matrixLogin(s, 'alice', alice.password, 'PHONE');
  const b = await matrixLogin(s, 'bob', bob.password, 'BOBPHONE');
  const room = await s.room('general', ['alice', 'bob']);
  const base = `/_matrix/client/v3/rooms/!r${room}:${NAME}`;
  const sent = await mx(s, 'PUT', `${base}/send/m.room.message/m1`, { token: a.token, body: { msgtype: 'm.text', body: 'lunch?' } });
  const react = (key: string) => ({ 'm.relates_to': { rel_type: 'm.annotation', event_id: sent.body.event_id, key } });
  const first = await mx(s, 'PUT', `${base}/send/m.reaction/r1`, { token: a.token, body: react('👍') });
  t.equal(first.status, 200);
  // Meanwhile bob reacts too: his change is now the room's newest.
  const bobs = await mx(s, 'PUT', `${base}/send/m.reaction/x1`, { token: b.token, body: react('🎉') });
  t.equal(bobs.status, 200);
  const again = await mx(s, 'PUT', `${base}/send/m.reaction/r1`, { token: a.token, body: react('👍') });
  t.equal(again.status, 200);
  t.equal(again.body.event_id, first.body.event_id, 'the retry answers the same event id (not bob\'s reaction)');
  // The client keeps the id it was given to take the reaction back later.
  const undo = await mx(s, 'PUT', `${base}/redact/${encodeURIComponent(again.body.event_id as string)}/u1`, { token: a.token, body: {} });
  t.equal(undo.status, 200, `alice can take back her reaction by the id she was given (${JSON.stringify(undo.body)})`);
});
