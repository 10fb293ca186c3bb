/**
 * The web client's file links, run in Node against a stubbed fetch: asked for
 * in batches with the token in a header, reused until shortly before they
 * expire (on the client's own clock), and asked for again when dropped.
 */
import t from 'tap';
import { FileLinks } from '../../src/web/file-links.js';

interface Call { url: string; auth: string | null; files: Array<{ fileId: string; thumbnail: boolean }> }

/** A server stub: every asked file gets a link numbered by request, except ids starting with "hidden". */
function stubServer(expiresIn = 600): { calls: Call[]; restore: () => void; fail: (on: boolean) => void } {
  const calls: Call[] = [];
  let failing = false;
  const real = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as { files: Call['files'] };
    calls.push({ url: String(input), auth: new Headers(init?.headers).get('authorization'), files: body.files });
    if (failing) return new Response('{"error":{"code":"unavailable","message":"down"}}', { status: 503 });
    const links: Record<string, { url: string; thumbUrl?: string }> = {};
    for (const f of body.files) {
      if (f.fileId.startsWith('hidden')) continue;
      links[f.fileId] = { url: `/api/v1/files/${f.fileId}?cap=r${calls.length}`, ...(f.thumbnail ? { thumbUrl: `/api/v1/files/${f.fileId}/thumbnail?cap=r${calls.length}` } : {}) };
    }
    return new Response(JSON.stringify({ links, expiresIn }), { status: 200 });
  };
  return { calls, restore: () => { globalThis.fetch = real; }, fail: (on) => { failing = on; } };
}

t.test('links asked for together go out as one request, with the token in the header and never in a URL', async (t) => {
  const server = stubServer();
  t.teardown(server.restore);
  const links = new FileLinks('the-session-token', () => 1_000_000);
  const [a, b, c, again] = await Promise.all([links.get('a', true), links.get('b', false), links.get('hidden1', false), links.get('a', false)]);
  t.equal(server.calls.length, 1, 'one request');
  t.same(server.calls[0], { url: '/api/v1/files/links', auth: 'Bearer the-session-token', files: [{ fileId: 'a', thumbnail: true }, { fileId: 'b', thumbnail: false }, { fileId: 'hidden1', thumbnail: false }] });
  t.match(a, { url: '/api/v1/files/a?cap=r1', thumbUrl: '/api/v1/files/a/thumbnail?cap=r1' });
  t.equal(again, a, 'both askers of one file get its link');
  t.equal(b?.thumbUrl, undefined);
  t.equal(c, undefined, 'a file the server left out has no link');
  t.notOk(JSON.stringify([a, b]).includes('the-session-token'));
});

t.test('a link is reused until a minute before it expires, then asked for anew', async (t) => {
  const server = stubServer(600);
  t.teardown(server.restore);
  let now = 5_000_000;
  const links = new FileLinks('tok', () => now);
  const first = await links.get('f', true);
  now += 539_000;
  t.equal(await links.get('f', true), first, 'still reused with 61 s left');
  t.equal(links.fresh('f', false), first, 'and known without asking');
  t.equal(server.calls.length, 1);
  now += 1000;
  t.equal(links.fresh('f', true), undefined, 'with a minute left it is no longer offered');
  t.equal((await links.get('f', true))?.url, '/api/v1/files/f?cap=r2', 'a new one is asked for');
  t.equal(server.calls.length, 2);
});

t.test('a short lifetime is renewed a fifth before its end; a forgotten link is asked for again', async (t) => {
  const server = stubServer(100);
  t.teardown(server.restore);
  let now = 0;
  const links = new FileLinks('tok', () => now);
  await links.get('f', false);
  now = 79_999;
  t.ok(links.fresh('f', false), 'good until 80 s of its 100');
  now = 80_000;
  t.equal(links.fresh('f', false), undefined);
  now = 0;
  await links.get('g', false);
  links.forget('g');
  t.equal(links.fresh('g', false), undefined, 'forgotten (the browser could not load it)');
  t.equal((await links.get('g', false))?.url, '/api/v1/files/g?cap=r3');
});

t.test('a thumbnail is asked for when the cached link has none; many files go in batches of 100', async (t) => {
  const server = stubServer();
  t.teardown(server.restore);
  const links = new FileLinks('tok', () => 0);
  await links.get('p', false);
  t.equal((await links.get('p', true))?.thumbUrl, '/api/v1/files/p/thumbnail?cap=r2');
  const many = await Promise.all(Array.from({ length: 150 }, (_, i) => links.get(`m${i}`, false)));
  t.equal(many.filter((l) => l !== undefined).length, 150);
  t.same(server.calls.slice(2).map((c) => c.files.length), [100, 50]);
});

t.test('when the server cannot be reached the link is undefined, and the next ask tries again', async (t) => {
  const server = stubServer();
  t.teardown(server.restore);
  const links = new FileLinks('tok', () => 0);
  server.fail(true);
  t.equal(await links.get('x', false), undefined);
  server.fail(false);
  t.equal((await links.get('x', false))?.url, '/api/v1/files/x?cap=r2');
});
