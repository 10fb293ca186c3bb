import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { LlmError, listModels, streamCompletion } from '../../src/gateway/llm-client.js';
import { checkTarget } from '../../src/gateway/lan-target.js';
import { validAssistantUrl } from '../../src/store/admin/assistant.js';

interface Teardown { teardown(fn: () => unknown): void }

/** A server whose chat answer is written by `write`, as raw bytes. */
async function serving(t: Teardown, write: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => write(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ask = (url: string, timeoutMs = 20_000) => streamCompletion({ url, model: 'm', messages: [{ role: 'user', content: 'q' }], allowRemote: false, timeoutMs });

async function collect(pieces: AsyncIterable<string>): Promise<string[]> {
  const got: string[] = [];
  for await (const p of pieces) got.push(p);
  return got;
}

t.test('SSE lines split anywhere across chunks, CRLF endings, comments and role-only deltas are read right', async (t) => {
  const stream = ': keep-alive\r\n\r\ndata: {"choices":[{"delta":{"role":"assistant"}}]}\r\n\r\n'
    + 'data: {"choices":[{"delta":{"content":"Hé"}}]}\n\ndata: {"choices":[{"delta":{"content":" llo"}}]}\n\ndata: [DONE]\n\n';
  const bytes = Buffer.from(stream, 'utf8');
  const url = await serving(t, (res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    // One byte at a time: a UTF-8 character and every line are cut mid-way.
    let i = 0;
    const next = (): void => {
      if (i >= bytes.length) return void res.end();
      res.write(bytes.subarray(i, i + 1), next);
      i++;
    };
    next();
  });
  t.same(await collect(ask(url)), ['Hé', ' llo']);
});

t.test('failures are LlmErrors with a code: http, garbage, no [DONE], timeout, unreachable, remote', async (t) => {
  const status = await serving(t, (res) => res.writeHead(503).end('busy'));
  await t.rejects(collect(ask(status)), { code: 'http', message: /HTTP 503/ });

  const errorChunk = await serving(t, (res) => res.writeHead(200).end('data: {"error":{"message":"out of memory"}}\n\n'));
  await t.rejects(collect(ask(errorChunk)), { code: 'garbage', message: /without choices/ });

  const cut = await serving(t, (res) => res.writeHead(200).end('data: {"choices":[{"delta":{"content":"a"}}]}\n\n'));
  await t.rejects(collect(ask(cut)), { code: 'garbage', message: /without \[DONE\]/ });

  const hang = await serving(t, (res) => res.writeHead(200).write('data: {"choices":[{"delta":{"content":"a"}}]}\n\n'));
  await t.rejects(collect(ask(hang, 300)), { code: 'timeout' }, 'a stream that stops mid-way ends at the timeout');

  const stop = new AbortController();
  const stopped = collect(streamCompletion({ url: hang, model: 'm', messages: [], allowRemote: false, timeoutMs: 600_000, stop: stop.signal }));
  stop.abort();
  await t.rejects(stopped, { code: 'timeout', message: /stopped/ }, 'a stop ends a hanging answer long before its timeout');

  const gone = await serving(t, () => undefined);
  const closed = gone.replace(/:\d+$/, ':9');
  await t.rejects(collect(ask(closed)), { code: 'unreachable' });

  await t.rejects(collect(ask('http://203.0.113.9:11434')), { code: 'remote' }, 'off the LAN, nothing is sent');
  t.ok(new LlmError('http', 'x') instanceof Error);
});

t.test('listModels reads the ids, and says why when it cannot', async (t) => {
  const url = await serving(t, (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'a' }, { id: 'b' }, { nope: 1 }] })));
  t.same(await listModels(url, false, 5000), { reachable: true, models: ['a', 'b'] });
  const bad = await serving(t, (res) => res.writeHead(404).end());
  t.same(await listModels(bad, false, 5000), { reachable: false, models: [], why: 'HTTP 404' });
});

t.test('a redirect from the model server is not followed: the prompt never reaches a host the LAN check did not pass', async (t) => {
  let reached = '';
  const offLan = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      reached = body;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => offLan.listen(0, '127.0.0.1', r));
  const offUrl = `http://0.0.0.0:${(offLan.address() as AddressInfo).port}`;
  await t.rejects(checkTarget(offUrl, false), { name: 'RemoteTargetError' }, 'the target itself is refused as off the LAN');

  const lan = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(307, { Location: `${offUrl}/v1/chat/completions` }).end());
  });
  await new Promise<void>((r) => lan.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    offLan.closeAllConnections(); offLan.close();
    lan.closeAllConnections(); lan.close();
  });
  const url = `http://127.0.0.1:${(lan.address() as AddressInfo).port}`;
  const got: string[] = [];
  let err: unknown;
  try {
    for await (const p of streamCompletion({ url, model: 'm', messages: [{ role: 'user', content: 'SECRET ROOM TEXT' }], allowRemote: false, timeoutMs: 5000 })) got.push(p);
  } catch (e) {
    err = e;
  }
  t.equal(reached, '', 'the off-LAN host never received the prompt');
  t.ok(err !== undefined, 'the answer failed instead of coming from the off-LAN host');
});

t.test('a model server URL with a user name or password is refused at enable, and a failure never names one', async (t) => {
  t.throws(() => validAssistantUrl('http://roost:hunter2-s3cret@127.0.0.1:9'), /may not carry a user name or password/);
  // One stored before that rule: fetch refuses it, naming the URL; the message members see cuts the credentials.
  let message = '';
  try {
    for await (const _ of streamCompletion({ url: 'http://roost:hunter2-s3cret@127.0.0.1:9', model: 'm', messages: [{ role: 'user', content: 'q' }], allowRemote: false, timeoutMs: 3000 })) { /* none */ }
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  t.ok(message !== '', `it fails: ${message}`);
  t.notMatch(message, /hunter2-s3cret/, 'the password is not in the message posted into the room');
});
