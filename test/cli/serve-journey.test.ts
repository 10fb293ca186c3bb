/**
 * `roost serve` as a process, through one ordinary day: people log in and
 * talk, a Chinese word is found inside a sentence, a photo is shared with
 * its thumbnail, and after a clean stop the backup and the verifier agree.
 * It runs the build ROOST_TEST_COMMAND names (see helpers/roost-command.ts),
 * which is how CI proves the same on arm64 and armv7 under emulation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { TestClient } from '../helpers/client.js';
import { login, prepareData, startChild } from '../durability/child-server.js';
import { roost } from './run.js';

t.test('a served Roost: talk, Chinese search, a photo with its thumbnail, then backup and verify', async (t) => {
  const f = await prepareData(['ann', 'ben'], 1);
  t.teardown(() => rmSync(f.dataDir, { recursive: true, force: true }));
  const [room] = f.rooms;
  const child = await startChild(f);
  t.teardown(() => { if (child.proc.exitCode === null) child.proc.kill('SIGKILL'); });
  const http = `http://127.0.0.1:${child.port}`;
  const [annToken, benToken] = [await login(child.port, 'ann'), await login(child.port, 'ben')];
  const ann = await TestClient.connect(`ws://127.0.0.1:${child.port}/ws`, annToken);
  const ben = await TestClient.connect(`ws://127.0.0.1:${child.port}/ws`, benToken);
  t.teardown(() => { ann.socket.terminate(); ben.socket.terminate(); });

  const sentence = '我们明天在北京开会';
  const ack = await ann.request({ type: 'send', room, body: sentence, clientMsgId: 'journey-1' }, 60_000);
  t.equal(ack.type, 'ack', 'the message is acknowledged');
  const seen = await ben.next((m) => m.type === 'message' && m.seq === ack.seq, 60_000);
  t.equal(seen.body, sentence, 'and delivered to the other member');

  // The index is fed off the send path: ask until it has caught up, a bounded number of times.
  let hits: Array<{ body?: string }> = [];
  for (let i = 0; i < 50 && hits.length === 0; i++) {
    const results = await ben.request({ type: 'search', query: '北京' }, 60_000);
    hits = (results.hits as Array<{ body?: string }> | undefined) ?? [];
    if (hits.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  t.same(hits.map((h) => h.body), [sentence], 'a two-character word is found inside the sentence');

  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#48a' } }).png().toBuffer();
  const up = await fetch(`${http}/api/v1/rooms/${room}/files?name=view.png`, {
    method: 'POST', body: new Uint8Array(png), headers: { Authorization: `Bearer ${annToken}`, 'Content-Type': 'image/png' },
  });
  t.equal(up.status, 201, 'the photo is stored');
  const file = (await up.json()) as { fileId: string; width?: number; height?: number; thumb?: boolean };
  t.match(file, { width: 800, height: 600, thumb: true }, 'measured, with a thumbnail');
  const thumb = await fetch(`${http}/api/v1/files/${file.fileId}/thumbnail`, { headers: { Authorization: `Bearer ${annToken}` } });
  t.equal(thumb.headers.get('content-type'), 'image/webp');
  const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
  t.ok((meta.width ?? 0) > 0 && (meta.width ?? 0) < 800, 'the thumbnail is a smaller image');

  child.proc.kill('SIGTERM');
  t.equal((await child.exited).code, 0, 'a clean stop');
  const out = mkdtempSync(join(tmpdir(), 'roost-journey-backup-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const backup = await roost(['backup', '--out', join(out, 'day.db'), '--data', f.dataDir]);
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stdout, /1 messages, 1 rooms, 2 users; integrity ok/, 'the backup holds the day');
  const verify = await roost(['verify', '--data', f.dataDir]);
  t.equal(verify.code, 0, 'the verifier finds every hash chain intact');
  t.match(verify.stdout, /^ok\s+room 1 room-0: 1 messages \(seq 1\.\.1\)/m, 'one room, one message, its chain intact');
});
