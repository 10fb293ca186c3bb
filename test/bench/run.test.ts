import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ARM64_EMULATED } from '../../bench/lib/projection.js';
import { defaultOptions, runBench } from '../../bench/run.js';
import { childPids, quiet } from './helpers.js';

t.test('hold: RSS idle and after logins, every connection established and kept through the hold, nothing left behind', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'roost-bench-test-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const o = { ...defaultOptions(), scenario: 'hold' as const, connections: 150, rate: 500, holdSeconds: 3, settleSeconds: 1, logins: 20, workers: 2, noFiles: true, tmpDir: parent };
  const { result, files } = await runBench(o, quiet);
  t.equal(files, null);
  t.match(result.rss, { logins: 20, loginsFailed: 0, loginUsers: 10 }, 'the memory check before the load logs in over HTTP');
  t.ok((result.rss?.idleBytes ?? 0) > 0 && (result.rss?.afterLoginsBytes ?? 0) > 0, 'and reads the server\'s RSS before and after');
  t.equal(result.figures['established'], 150);
  t.equal(result.figures['survived the hold'], 150);
  t.equal(result.figures['dropped during hold'], 0);
  t.equal(result.ceiling.rule, 'none');
  t.ok(result.steps.length >= 5, 'idle, four ramp stages and the hold');
  t.ok(result.steps.every((s) => s.rssBytes !== null && s.rssBytes > 0), 'server RSS comes from /proc at every step');
  t.ok(result.memory !== null, 'bytes per connection are fitted');
  if (process.arch === 'x64') {
    t.ok(result.notes.some((n) => n.startsWith('arm64') && n.includes(`${ARM64_EMULATED.userBytesPerConn} user bytes per connection`)),
      'off ARM, the report also states the arm64 figures measured under emulation');
  }
  t.same(childPids(), [], 'load generators and the server have exited');
  t.same(readdirSync(parent), [], 'the scratch data folder is removed');
});

t.test('chat: every acked message is stored once and delivered to every member of its room', async (t) => {
  const o = { ...defaultOptions(), scenario: 'chat' as const, connections: 100, rate: 500, roomSize: 10, senders: 10, msgRate: 100, seconds: 2, settleSeconds: 1, logins: 0, workers: 2, noFiles: true };
  const { result } = await runBench(o, quiet);
  const acked = result.figures['acked (durable)'];
  t.ok(typeof acked === 'number' && acked >= 150, `acked ${String(acked)}`);
  t.equal(result.figures['messages stored (scratch database)'], acked, 'durable: the database holds exactly the acked messages');
  t.equal(result.figures['expected deliveries'], (acked as number) * 10);
  t.equal(result.figures['lost'], 0);
  t.equal(result.figures['ack errors'], 'none');
  t.ok((result.figures['send→delivery p99 ms'] as number) > 0);
  t.same(childPids(), []);
});
