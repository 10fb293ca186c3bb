import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SearchService } from '../../../src/store/search/search.js';
import { historyFixture } from '../history-fixture.js';

t.test('the search thread starts on the first search, not before, and that search is answered', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['the deploy went fine'], Date.UTC(2024, 2, 1));
  const search = new SearchService(f.dir);
  t.teardown(() => search.close());
  t.equal(search.running, false, 'a service that has not searched has no thread');
  t.same(await search.search({ user: f.users.bob, query: '', limit: 20 }, [f.rooms.general]), [], 'an empty query needs no thread');
  t.equal(search.running, false, 'still no thread');
  const hits = await search.search({ user: f.users.bob, query: 'deploy', limit: 20 }, [f.rooms.general]);
  t.same(hits.map((h) => h.body), ['the deploy went fine'], 'the first search finds the message');
  t.equal(search.running, true, 'the thread runs after the first search');
});

t.test('a search thread that cannot open the database answers with the reason, and the process carries on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-search-missing-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const search = new SearchService(join(dir, 'no-such-folder'));
  t.teardown(() => search.close());
  await t.rejects(search.search({ user: 1, query: 'deploy', limit: 20 }, [1]), /search thread (failed|exited)/, 'the search is refused with the thread\'s failure');
  t.equal(search.running, false, 'the failed thread is gone');
  await t.rejects(search.search({ user: 1, query: 'again', limit: 20 }, [1]), /search thread (failed|exited)/, 'a second search tries a new thread and is refused the same way');
});

t.test('after close, a search is refused without starting a thread', async (t) => {
  const search = new SearchService(tmpdir());
  await search.close();
  await t.rejects(search.search({ user: 1, query: 'deploy', limit: 20 }, [1]), /shutting down/);
  t.equal(search.running, false);
});
