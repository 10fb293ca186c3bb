/**
 * Random and mutated HTTP requests (through fetch) and raw bytes (over TCP)
 * against a running server for a bounded time (about 8 s of FUZZ_SECONDS).
 * Properties: only documented statuses; error bodies carry a documented code;
 * never a 500; the server stays healthy; the bystander's socket is answered;
 * nothing is stored from a rejected request.
 */
import fc from 'fast-check';
import t from 'tap';
import { ERROR_CODES } from '../../src/protocol/errors.js';
import { BYSTANDER_PATIENCE_MS, HTTP_STATUSES_DOCUMENTED, fuzzMs, rawHttp, saveToCorpus, startArena } from './harness.js';

const PATHS = [
  '/api/v1/login', '/api/v1/logout', '/api/v1/rooms', '/api/v1/rooms/:room/messages', '/api/v1/rooms/:room/members',
  '/api/v1/search', '/api/v1/admin/users', '/api/v1/admin/rooms', '/api/v1/admin/stats', '/healthz', '/readyz', '/metrics', '/', '/ws',
  '/api/v1/files/:room', '/api/v1/rooms/:room/files', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/index.html',
];

t.test('fuzzed HTTP requests and raw bytes: documented answers only, server healthy, nothing stored', async (t) => {
  const arena = await startArena();
  t.teardown(() => arena.close());
  const base = arena.s.http;
  // The bystander's token is not fuzzed with: a fuzzed POST /logout would (rightly) end its socket.
  let fuzzerToken = arena.fuzzer.token;
  const tokens = ['fuzzer', '', 'x'.repeat(43), 'fuzzer+x'];
  const roomish = fc.oneof(fc.constantFrom(arena.ownRoom, arena.otherRoom, '0', '-1', '%00', '..', 'a'.repeat(300)), fc.string({ maxLength: 20 }).map(encodeURIComponent));
  const query = fc.dictionary(fc.constantFrom('q', 'limit', 'before', 'room', 'token', 'name', 'x'), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constant(arena.ownRoom)), { maxKeys: 4 })
    .map((d) => new URLSearchParams(d).toString());
  const body = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.record({ body: fc.oneof(fc.string(), fc.jsonValue()), clientMsgId: fc.oneof(fc.uuid(), fc.jsonValue()), username: fc.oneof(fc.constantFrom('fuzzer', 'bystander'), fc.string()), password: fc.string() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  const requestArb = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    path: fc.tuple(fc.constantFrom(...PATHS), roomish).map(([p, r]) => p.replace(':room', r)),
    query,
    token: fc.constantFrom(...tokens),
    origin: fc.option(fc.constantFrom('https://evil.example', 'null', base), { nil: undefined }),
    contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'image/png'), { nil: undefined }),
    body,
  });
  const rawArb = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)),
    fc.tuple(fc.constantFrom('GET', 'POST', 'G\u0000T', 'BREW', ''), fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', ''),
      fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 60 })), { maxLength: 6 }), fc.constantFrom('\r\n', '\n', '\r'))
      .map(([m, p, v, hs, nl]) => Buffer.from(`${m} /${p} ${v}${nl}Host: x${nl}${hs.map(([k, val]) => `${k}: ${val}`).join(nl)}${nl}${nl}`, 'latin1')),
    fc.tuple(fc.integer({ min: -5, max: 100_000 }), fc.string({ maxLength: 50 })).map(([len, b]) => Buffer.from(`POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: ${len}\r\n\r\n${b}`)),
    fc.constant(Buffer.from('POST /api/v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n')),
  );

  const problems: string[] = [];
  let requests = 0;
  let raws = 0;
  const started = Date.now();
  const check = async (status: number, text: string, what: string): Promise<void> => {
    if (!HTTP_STATUSES_DOCUMENTED.has(status)) problems.push(`${what}: undocumented status ${status}`);
    if (status >= 500 && status !== 503 && status !== 505) problems.push(`${what}: server error ${status} ${text.slice(0, 200)}`);
    if (status >= 400 && text.startsWith('{')) {
      try {
        const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
        if (code === undefined || !Object.hasOwn(ERROR_CODES, code)) problems.push(`${what}: undocumented error body ${text.slice(0, 120)}`);
      } catch {
        problems.push(`${what}: broken JSON error body`);
      }
    }
  };
  let failing: unknown;
  await fc.assert(
    fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: requestArb.map((r) => ({ kind: 'http' as const, r })) }, { weight: 1, arbitrary: rawArb.map((b) => ({ kind: 'raw' as const, b })) }), async (input) => {
      const before = problems.length;
      if (input.kind === 'http') {
        const { r } = input;
        const headers: Record<string, string> = {};
        const token = r.token === 'fuzzer' ? fuzzerToken : r.token === 'fuzzer+x' ? `${fuzzerToken}x` : r.token;
        if (token !== '') headers.Authorization = `Bearer ${token}`;
        if (r.origin !== undefined) headers.Origin = r.origin;
        if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
        const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
        const res = await fetch(`${base}${r.path}${r.query ? `?${r.query}` : ''}`, { method: r.method, headers, body: hasBody ? r.body : undefined, signal: AbortSignal.timeout(5000) })
          .catch((err: Error) => ({ status: -1, text: () => Promise.resolve(err.message) }));
        const text = await res.text();
        // fetch refusing to send a request (e.g. a malformed header value) is not the server's answer.
        if (res.status !== -1) await check(res.status, text, `${r.method} ${r.path}`);
        if (res.status === 204 && r.path === '/api/v1/logout') {
          // The fuzzer logged itself out: sign in again so later requests are authenticated.
          const again = await fetch(`${base}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'fuzzer', password: arena.fuzzer.password }) });
          if (again.ok) fuzzerToken = ((await again.json()) as { token: string }).token;
          else await again.arrayBuffer();
        }
        requests += 1;
      } else {
        const { status, text } = await rawHttp(arena.s.port, input.b, 1500);
        const body = text.slice(text.indexOf('\r\n\r\n') + 4);
        if (status !== 0) await check(status, body, `raw ${JSON.stringify(input.b.toString('latin1').slice(0, 40))}`);
        raws += 1;
      }
      if (problems.length > before) {
        failing = input;
        return false;
      }
      return true;
    }),
    { numRuns: 1_000_000, interruptAfterTimeLimit: fuzzMs(1 / 3), endOnFailure: true },
  ).catch((err: unknown) => {
    if (failing !== undefined) {
      const f = failing as { kind: string; b?: Buffer; r?: unknown };
      const file = saveToCorpus({ kind: f.kind === 'raw' ? 'raw-http' : 'http', why: problems.join('; '), input: f.kind === 'raw' ? { base64: f.b?.toString('base64') } : f.r });
      t.comment(`failing input saved to test/fuzz/corpus/${file}`);
    }
    throw err;
  });
  t.comment(`http fuzz: ${requests} requests + ${raws} raw byte streams in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.same(problems, [], 'only documented answers');
  t.ok(requests + raws > 200, `a meaningful number of inputs (${requests + raws})`);
  t.ok((await fetch(`${base}/healthz`)).ok, 'the server is healthy');
  t.ok((await arena.bystanderPing()) < BYSTANDER_PATIENCE_MS, 'the bystander is answered');
  const rows = arena.storedRows();
  // HTTP sends that were accepted are acked with 201; any stored row must be in the fuzzer's own room.
  t.ok(rows.every((r) => String(r.room_id) === arena.ownRoom), `the fuzzer's ${rows.length} stored messages are all in its own room`);
  t.equal(arena.stored().inOtherRoom, 0, 'nothing reached the room the fuzzer is not in');
});
