/**
 * Replays every input in test/fuzz/corpus/ (those that once broke something,
 * plus hand-written seeds) with the same checks as the fuzz suites.
 */
import t from 'tap';
import { BYSTANDER_PATIENCE_MS, HTTP_STATUSES_DOCUMENTED, loadCorpus, rawHttp, runCli, startArena } from './harness.js';

const bytes = (x: unknown): string | Buffer =>
  typeof x === 'object' && x !== null && 'base64' in x ? Buffer.from(String((x as { base64: string }).base64), 'base64') : String(x);

t.test('the fuzz corpus replays cleanly', async (t) => {
  const arena = await startArena();
  t.teardown(() => arena.close());
  const withRoom = (x: string | Buffer): string | Buffer => (typeof x === 'string' ? x.replaceAll('ROOM', arena.ownRoom) : x);

  for (const { file, entry } of loadCorpus('frame')) {
    await arena.sendFrames((entry.input as unknown[]).map(bytes).map(withRoom));
    t.same(arena.problems, [], `${file}: documented replies only`);
  }
  for (const { file, entry } of loadCorpus('http')) {
    const r = entry.input as { method: string; path: string; query: string; token: string; origin?: string; contentType?: string; body?: string };
    const headers: Record<string, string> = {};
    if (r.origin !== undefined) headers.Origin = r.origin;
    if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
    if (r.token === 'fuzzer') headers.Authorization = `Bearer ${arena.fuzzer.token}`;
    const res = await fetch(`${arena.s.http}${r.path}${r.query ? `?${r.query}` : ''}`, { method: r.method, headers, body: r.body });
    await res.arrayBuffer();
    const expected = (entry as { expect?: number }).expect;
    if (expected !== undefined) t.equal(res.status, expected, `${file}: ${r.method} ${r.path} -> ${expected}`);
    t.ok(HTTP_STATUSES_DOCUMENTED.has(res.status) && res.status !== 500, `${file}: documented status ${res.status}`);
  }
  for (const { file, entry } of loadCorpus('raw-http')) {
    const { status } = await rawHttp(arena.s.port, bytes(entry.input) as Buffer, 1500);
    t.ok(status === 0 || HTTP_STATUSES_DOCUMENTED.has(status), `${file}: answered ${status || 'by closing'}`);
  }
  for (const { file, entry } of loadCorpus('cli')) {
    const r = await runCli([...(entry.input as string[]), '--data', arena.s.dataDir]);
    t.ok(r.code === 0 || r.code === 1 || r.code === 2, `${file}: exit ${r.code}`);
  }
  t.ok((await fetch(`${arena.s.http}/healthz`)).ok, 'the server is healthy after the corpus');
  t.ok((await arena.bystanderPing()) < BYSTANDER_PATIENCE_MS, 'and the bystander is answered');
});
