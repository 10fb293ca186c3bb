import t from 'tap';
import { SearchService } from '../../../src/store/search/search.js';
import { toMatchQuery } from '../../../src/store/search/search-text.js';
import type { SearchHit } from '../../../src/protocol/frames.js';
import { historyFixture, DAY } from '../history-fixture.js';

const T0 = Date.UTC(2024, 2, 1);

const BODIES = [
  '我们讨论了历史聊天记录在即时通讯中的重要性',
  '今天的会议纪要已经发到群里了',
  'Deploy the new server on Friday after the review',
  'the deployment failed twice; rolling back',
  '部署deploy脚本在服务器上运行了',
  'party tonight 🎉 bring snacks',
  '🎉🎉',
  'ＦＵＬＬＷＩＤＴＨ letters and café crème',
  'quotes "inside" and (parens) AND OR NOT NEAR col:value ^start -minus +plus',
];

const HOSTILE = [
  '"', '""', '"unbalanced', 'unbalanced"', '(', ')', '((deploy', 'deploy)', '*', '**', 'deploy**', '*deploy',
  'AND', 'OR', 'NOT', 'deploy AND', 'OR deploy', 'NOT deploy', 'NEAR(deploy server)', 'NEAR(deploy, 2)',
  'text:deploy', '{text}: deploy', '^deploy', '-deploy', '+deploy', 'deploy -', "'", "'; DROP TABLE messages; --",
  '\\', '\u0000', '\u200b', '_', '🎉*', '\u0301', ':', '.', ',', '\'"()*:^{}[]-+', 'x'.repeat(256),
  Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '), 'deploy*"', '"deploy"*', 'deploy * server', '记录"',
];

async function setup(t: Tap): Promise<{ f: ReturnType<typeof historyFixture>; search: SearchService; q: (query: string, rooms?: number[], extra?: { before?: number; limit?: number }) => Promise<SearchHit[]> }> {
  const f = historyFixture(t);
  f.send(f.rooms.general, BODIES, T0);
  f.send(f.rooms.secret, ['secret deploy plan 记录 🎉'], T0 + 1, f.users.carol);
  const search = new SearchService(f.dir);
  t.teardown(() => search.close());
  const q = (query: string, rooms = [f.rooms.general], extra: { before?: number; limit?: number } = {}): Promise<SearchHit[]> =>
    search.search({ user: f.users.bob, query, limit: extra.limit ?? 20, before: extra.before }, rooms);
  return { f, search, q };
}
type Tap = { teardown: (fn: () => void | Promise<void>) => void };

const bodies = (hits: SearchHit[]): string[] => hits.map((h) => h.body);

t.test('a two-character Chinese word is found inside a longer run', async (t) => {
  const { q } = await setup(t);
  for (const word of ['记录', '聊天', '通讯', '历史', '会议']) {
    const hits = await q(word);
    t.ok(hits.length >= 1, `${word} finds something`);
    t.ok(hits.every((h) => h.body.includes(word)), `every hit for ${word} contains it`);
  }
  t.same(bodies(await q('聊天记录')), [BODIES[0]], 'a run of several words is a phrase');
  t.same(bodies(await q('记*')), [BODIES[0]], 'a CJK prefix');
});

t.test('English words match by word, and by prefix with *', async (t) => {
  const { q } = await setup(t);
  t.same(bodies(await q('deploy')), [BODIES[4], BODIES[2]], 'word match, newest first; "deployment" is another word');
  t.same(bodies(await q('deploy*')), [BODIES[4], BODIES[3], BODIES[2]], 'prefix');
  t.same(bodies(await q('DEPLOY friday')), [BODIES[2]], 'case-insensitive, all words must match');
  t.same(bodies(await q('serv*')), [BODIES[2]]);
  t.same(await q('deplo'), [], 'a partial word without * is not a match');
});

t.test('mixed Chinese and Latin text', async (t) => {
  const { q } = await setup(t);
  for (const query of ['部署', 'deploy 脚本', '部署deploy', '服务器']) {
    t.same(bodies(await q(query)), [BODIES[4]], query);
  }
});

t.test('emoji are searchable and highlighted', async (t) => {
  const { q } = await setup(t);
  t.same(bodies(await q('🎉')), [BODIES[6], BODIES[5]]);
  const [hit] = await q('party 🎉');
  t.equal(hit?.body, BODIES[5]);
  const marked = (hit?.highlights ?? []).map(([a, b]) => hit?.snippet.slice(a, b));
  t.same(marked, ['party', '🎉']);
});

t.test('full-width letters and accents match their plain forms', async (t) => {
  const { q } = await setup(t);
  t.same(bodies(await q('fullwidth')), [BODIES[7]]);
  t.same(bodies(await q('cafe creme')), [BODIES[7]]);
});

t.test('hostile queries are plain words: never an FTS5 syntax error', async (t) => {
  const { q } = await setup(t);
  for (const query of HOSTILE) {
    const hits = await q(query);
    t.ok(Array.isArray(hits), `${JSON.stringify(query).slice(0, 40)} answered`);
    const parsed = toMatchQuery(query);
    if (parsed !== null) t.match(parsed.match, /^("([^"]|"")*"\*? ?)+$/, 'only quoted phrases reach MATCH');
  }
  t.same(bodies(await q('NEAR col:value')), [BODIES[8]], 'operator words are searched as words');
  t.same(bodies(await q('"inside" (parens)')), [BODIES[8]]);
});

t.test('a non-member\'s room never appears, whatever the query', async (t) => {
  const { f, q } = await setup(t);
  for (const query of ['secret', 'deploy', '记录', '🎉', 'plan']) {
    const hits = await q(query, [f.rooms.general]);
    t.ok(hits.every((h) => h.room === String(f.rooms.general)), `${query}: only general`);
    t.notOk(hits.some((h) => h.body.includes('secret')), `${query}: the secret room's message is not there`);
  }
  t.same(bodies(await q('secret', [f.rooms.secret])), ['secret deploy plan 记录 🎉'], 'the member of that room finds it');
  t.same(await q('deploy', []), [], 'a user in no room finds nothing');
});

t.test('purged messages never appear', async (t) => {
  const { f, q } = await setup(t);
  t.equal((await q('记录')).length, 1);
  f.send(f.rooms.general, ['fresh 记录 kept'], T0 + 30 * DAY);
  f.apply([{ k: 'purge', room: f.rooms.general, before: T0 + DAY, max: 100 }], T0 + 31 * DAY);
  t.same(bodies(await q('记录')), ['fresh 记录 kept']);
  t.same(await q('deploy*'), []);
  t.same(await q('🎉'), []);
});

t.test('pages: limit, newest first, and a msgId cursor for the next page', async (t) => {
  const { f, q } = await setup(t);
  f.send(f.rooms.general, Array.from({ length: 25 }, (_, i) => `page word ${i}`), T0 + 2);
  const first = await q('page', undefined, { limit: 10 });
  t.equal(first.length, 10);
  t.same(bodies(first).slice(0, 2), ['page word 24', 'page word 23']);
  const seen = new Set(first.map((h) => h.msgId));
  let before = Number(first[first.length - 1]?.msgId);
  let pages = 1;
  while (pages < 10) {
    const next = await q('page', undefined, { limit: 10, before });
    if (next.length === 0) break;
    for (const h of next) {
      t.notOk(seen.has(h.msgId), 'no hit twice');
      seen.add(h.msgId);
    }
    before = Number(next[next.length - 1]?.msgId);
    pages++;
  }
  t.equal(seen.size, 25);
  t.equal(pages, 3);
});

t.test('snippets are short and mark every match', async (t) => {
  const { f, q } = await setup(t);
  const long = `${'filler '.repeat(40)}the needle is here ${'more '.repeat(40)}`;
  f.send(f.rooms.general, [long], T0 + 3);
  const [hit] = await q('needle');
  t.ok(hit !== undefined && hit.snippet.length <= 82, 'at most ~80 characters plus ellipses');
  t.ok(hit?.snippet.startsWith('…'));
  t.same(hit?.highlights.map(([a, b]) => hit.snippet.slice(a, b)), ['needle']);
});

t.test('fromSeq: a room searched from a later seq on yields only hits from there, and a full page when there are enough', async (t) => {
  const f = historyFixture(t);
  // Interleaved in time: general's early "kiwi" messages (before the asker's join there) and other's.
  for (let i = 0; i < 6; i++) {
    f.send(f.rooms.general, [`kiwi general ${i}`], T0 + 2 * i);
    f.send(f.rooms.secret, [`kiwi secret ${i}`], T0 + 2 * i + 1);
  }
  const search = new SearchService(f.dir);
  t.teardown(() => search.close());
  const fromSeq = new Map([[f.rooms.general, 4]]);
  const page = await search.search({ user: f.users.bob, query: 'kiwi', limit: 6, fromSeq }, [f.rooms.general, f.rooms.secret]);
  t.same(bodies(page), ['kiwi secret 5', 'kiwi general 5', 'kiwi secret 4', 'kiwi general 4', 'kiwi secret 3', 'kiwi general 3'], 'a full page, newest first');
  const rest = await search.search({ user: f.users.bob, query: 'kiwi', limit: 6, fromSeq, before: Number(page.at(-1)?.msgId) }, [f.rooms.general, f.rooms.secret]);
  t.same(bodies(rest), ['kiwi secret 2', 'kiwi secret 1', 'kiwi secret 0'], 'the next page: none of general\'s seqs 1–3');
});

t.test('a query is bounded whatever its caller: 256 characters read, at most 64 terms', async (t) => {
  const cjk = toMatchQuery('历a'.repeat(15_500));
  t.ok(cjk !== null && cjk.terms.length <= 64, `a 31,000-character run of short words: ${cjk?.terms.length} terms`);
  const words = toMatchQuery(`${'x'.repeat(300)} tail`);
  t.notMatch(words?.match ?? '', /tail/, 'what lies past 256 characters is not searched');
});
