import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defaultOptions, runBench } from '../../bench/run.js';
import { childPids, quiet } from './helpers.js';

// One run serves both: the chat against Roost, then the same chat against the two baselines.
t.test('chat: every acked message is stored once and delivered to every member of its room; --baseline runs the same chat against bare uWS and bare ws, which answer in Roost\'s frame shapes', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'roost-bench-test-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const o = { ...defaultOptions(), scenario: 'chat' as const, connections: 40, rate: 400, roomSize: 10, senders: 4, msgRate: 80, seconds: 1, settleSeconds: 1, logins: 0, workers: 1, baseline: true, noFiles: true, tmpDir: parent };
  const { result } = await runBench(o, quiet);
  const acked = result.figures['acked (durable)'];
  t.ok(typeof acked === 'number' && acked >= 60, `acked ${String(acked)}`);
  t.equal(result.figures['messages stored (scratch database)'], acked, 'durable: the database holds exactly the acked messages');
  t.equal(result.figures['expected deliveries'], (acked as number) * 10);
  t.equal(result.figures['lost'], 0);
  t.equal(result.figures['ack errors'], 'none');
  t.ok((result.figures['send→delivery p99 ms'] as number) > 0);
  t.same(result.baselines.map((b) => b.target), ['bare uWS', 'bare ws']);
  for (const b of result.baselines) {
    t.ok((b.figures['acked (durable)'] as number) >= 60, `${b.target} acked sends`);
    t.equal(b.figures['lost'], 0, `${b.target} delivered every message to every member`);
    t.equal(b.figures['messages stored (scratch database)'], null, 'baselines store nothing');
  }
  t.same(childPids(), []);
  t.same(readdirSync(parent), [], 'scratch folder and seed files are removed');
});
