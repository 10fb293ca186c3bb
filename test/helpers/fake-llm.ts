import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OpenAI-compatible model server on 127.0.0.1 for the assistant's
 * tests. It records every chat request (the prompt that reached it) and
 * answers with `behaviour`: an SSE stream of `chunks` (optionally waiting
 * `delayMs` between them), an error status, a hang (never answers), or a
 * garbage stream. `GET /v1/models` lists `models`.
 */

export type FakeBehaviour =
  | { kind: 'stream'; chunks: string[]; delayMs?: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'garbage' };

export interface FakeRequest { model: string; stream: boolean; messages: Array<{ role: string; content: string }> }

export interface FakeLlm {
  url: string;
  requests: FakeRequest[];
  behaviour: FakeBehaviour;
  models: string[];
  /** The whole prompt of request `n` as one string (system and user text). */
  promptText(n: number): string;
  /** Lets every hanging answer end (so sockets close). */
  release(): void;
  close(): Promise<void>;
}

export async function startFakeLlm(behaviour: FakeBehaviour = { kind: 'stream', chunks: ['Hello', ' there'] }): Promise<FakeLlm> {
  const hanging: ServerResponse[] = [];
  const fake: Omit<FakeLlm, 'url' | 'close'> = {
    requests: [],
    behaviour,
    models: ['tiny'],
    promptText: (n) => (fake.requests[n]?.messages ?? []).map((m) => m.content).join('\n'),
    release: () => {
      for (const res of hanging.splice(0)) res.destroy();
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ object: 'list', data: fake.models.map((id) => ({ id, object: 'model' })) }));
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404);
        return res.end();
      }
      fake.requests.push(JSON.parse(body) as FakeRequest);
      void answer(fake.behaviour, res, hanging);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...fake,
    get behaviour() { return fake.behaviour; },
    set behaviour(b: FakeBehaviour) { fake.behaviour = b; },
    get models() { return fake.models; },
    set models(m: string[]) { fake.models = m; },
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      fake.release();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

async function answer(b: FakeBehaviour, res: ServerResponse, hanging: ServerResponse[]): Promise<void> {
  switch (b.kind) {
    case 'status':
      res.writeHead(b.status, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: 'no' } }));
    case 'hang':
      hanging.push(res);
      return;
    case 'garbage':
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"Par"}}]}\n\n');
      return void res.end('data: this is not json\n\n');
    case 'stream':
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      for (const c of b.chunks) {
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: c } }] })}\n\n`);
        if (b.delayMs !== undefined) await new Promise((r) => setTimeout(r, b.delayMs));
      }
      res.end('data: [DONE]\n\n');
  }
}
