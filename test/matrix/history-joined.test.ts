/**
 * In a `history: joined` room a newcomer reads nothing from before their
 * join: not the events (timeline reads), not the media an older message
 * carries, and a relation to an older event answers as for a missing one.
 */
import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx, type Json } from './helpers.js';

const NAME = 'roost.test';

t.test('a newcomer to a joined-history room gets nothing of what came before their join', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, carol] = [await s.user('alice'), await s.user('carol')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board' } });
  const roomId = made.body.room_id as string;
  const base = `/_matrix/client/v3/rooms/${roomId}`;
  t.equal((await mx(s, 'PUT', `${base}/state/m.room.history_visibility/`, { token: a.token, body: { history_visibility: 'joined' } })).status, 200);
  const up = await fetch(`${s.http}/_matrix/media/v3/upload?filename=plans.txt`, {
    method: 'POST', body: 'the secret plans', headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${a.token}` },
  });
  const mxc = ((await up.json()) as { content_uri: string }).content_uri;
  const sent = await mx(s, 'PUT', `${base}/send/m.room.message/f1`, { token: a.token, body: { msgtype: 'm.file', body: 'plans.txt', url: mxc } });
  t.equal(sent.status, 200, 'alice sends the file before carol joins');
  t.equal((await mx(s, 'POST', `${base}/invite`, { token: a.token, body: { user_id: `@carol:${NAME}` } })).status, 200);
  const c = await matrixLogin(s, 'carol', carol.password);
  t.equal((await mx(s, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { token: c.token, body: {} })).status, 200);

  const ev = await mx(s, 'GET', `${base}/event/${encodeURIComponent(sent.body.event_id as string)}`, { token: c.token });
  t.equal(ev.status, 404, 'the older event itself is hidden from carol');

  const dl = await fetch(`${s.http}/_matrix/client/v1/media/download/${mxc.replace('mxc://', '')}`, { headers: { Authorization: `Bearer ${c.token}` } });
  const text = await dl.text();
  t.equal(dl.status, 404, `the file of a message before her join is not hers to download: ${dl.status} ${text.slice(0, 40)}`);

  // A relation to an event she cannot read answers as for an event that does not exist, and stores nothing.
  const missing = await mx(s, 'PUT', `${base}/send/m.reaction/r0`, {
    token: c.token, body: { 'm.relates_to': { rel_type: 'm.annotation', event_id: `$${roomId.slice(1).split(':')[0]}-999`, key: '👍' } },
  });
  const older = await mx(s, 'PUT', `${base}/send/m.reaction/r1`, {
    token: c.token, body: { 'm.relates_to': { rel_type: 'm.annotation', event_id: sent.body.event_id, key: '👍' } },
  });
  t.equal(older.status, missing.status, `reacting to a pre-join event (${older.status}) answers like a missing one (${missing.status})`);

  const again = await mx(s, 'PUT', `${base}/send/m.room.message/f2`, { token: a.token, body: { msgtype: 'm.file', body: 'plans.txt', url: mxc } });
  t.equal(again.status, 200, 'alice sends the same file again, after carol joined');
  const later = await fetch(`${s.http}/_matrix/client/v1/media/download/${mxc.replace('mxc://', '')}`, { headers: { Authorization: `Bearer ${c.token}` } });
  t.same([later.status, await later.text()], [200, 'the secret plans'], 'now a message she may read carries it');
});

t.test('a newcomer to a joined-history room is sent no receipt naming an event from before their join', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, receiptWindowMs: 0 });
  t.teardown(() => s.close());
  const [alice, bob, carol] = [await s.user('alice'), await s.user('bob'), await s.user('carol')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', invite: [`@bob:${NAME}`, `@carol:${NAME}`] } });
  const roomId = made.body.room_id as string;
  const base = `/_matrix/client/v3/rooms/${roomId}`;
  t.equal((await mx(s, 'PUT', `${base}/state/m.room.history_visibility/`, { token: a.token, body: { history_visibility: 'joined' } })).status, 200);
  const b = await matrixLogin(s, 'bob', bob.password);
  t.equal((await mx(s, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { token: b.token, body: {} })).status, 200);
  const send = async (txn: string, body: string): Promise<string> =>
    (await mx(s, 'PUT', `${base}/send/m.room.message/${txn}`, { token: a.token, body: { msgtype: 'm.text', body } })).body.event_id as string;
  const first = await send('s1', 'first, before carol');
  const second = await send('s2', 'second, before carol');
  t.equal((await mx(s, 'POST', `${base}/receipt/m.read/${encodeURIComponent(first)}`, { token: b.token, body: {} })).status, 200, 'bob reads the first');
  const c = await matrixLogin(s, 'carol', carol.password);
  t.equal((await mx(s, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { token: c.token, body: {} })).status, 200);
  const receiptsIn = (sync: { body: Json }): string[] => ((sync.body.rooms?.join?.[roomId]?.ephemeral?.events ?? []) as Json[])
    .filter((e) => e.type === 'm.receipt').flatMap((e) => Object.keys(e.content as object));
  const init = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: c.token });
  t.same(receiptsIn(init).filter((id) => id === first || id === second), [], 'initial sync: no receipt on a message before her join');
  t.equal((await mx(s, 'POST', `${base}/receipt/m.read/${encodeURIComponent(second)}`, { token: b.token, body: {} })).status, 200, 'bob reads the second, after carol joined');
  // The writer keeps order: once this send is stored, so is bob's mark before it.
  const after = await send('s3', 'third, after carol');
  const since = init.body.next_batch as string;
  const next = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=0`, { token: c.token });
  t.ok((next.body.rooms.join[roomId].timeline.events as Json[]).some((e) => e.event_id === after), 'the incremental sync has the third');
  t.notOk(receiptsIn(next).includes(second), 'and not bob\'s mark on a message before her join');
  t.equal((await mx(s, 'POST', `${base}/receipt/m.read/${encodeURIComponent(after)}`, { token: b.token, body: {} })).status, 200, 'bob reads the third');
  let told: string[] = [];
  for (let i = 0; i < 100 && !told.includes(after); i++) {
    told = receiptsIn(await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=0`, { token: c.token }));
    if (!told.includes(after)) await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(told.includes(after), 'his mark on what came after is told');
});
