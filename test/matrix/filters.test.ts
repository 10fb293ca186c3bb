import t from 'tap';
import { FilterCache, readFilter } from '../../src/matrix/filters.js';

t.test('a filter is read into what the door honours, capped by the server', async (t) => {
  t.same(readFilter({ room: { timeline: { limit: 500 }, state: { lazy_load_members: true }, rooms: ['!a:x'] } }, 100), { timelineLimit: 100, lazyMembers: true, rooms: ['!a:x'] });
  t.same(readFilter({ room: { timeline: { limit: -1 } } }, 100), { timelineLimit: 10, lazyMembers: false }, 'a limit that is not a positive integer is the default');
});

t.test('a filter cache makes each filter once, keeps nothing that failed, and starts over past its bound', async (t) => {
  const cache = new FilterCache(2);
  let made = 0;
  const make = (limit: number) => () => {
    made += 1;
    return readFilter({ room: { timeline: { limit } } }, 100);
  };
  const first = cache.get('a', make(5));
  t.equal(cache.get('a', make(6)), first, 'the same key answers the filter made first');
  t.equal(made, 1);
  t.equal(cache.get('missing', () => undefined), undefined);
  t.throws(() => cache.get('bad', () => {
    throw new SyntaxError('not JSON');
  }));
  t.equal(cache.get('bad', make(7))?.timelineLimit, 7, 'a key whose making failed is made again');
  cache.get('c', make(8));
  t.equal(cache.get('a', make(9))?.timelineLimit, 9, 'past its bound the cache started over');
});
