import t from 'tap';
import { parseRoute, roomHref } from '../../src/web/hooks.js';

t.test('the location hash names a view; a room link round-trips', async (t) => {
  t.same(parseRoute(roomHref('42')), { view: 'room', room: '42' });
  t.same(parseRoute(roomHref('a/b c')), { view: 'room', room: 'a/b c' });
  t.same(parseRoute('#/admin'), { view: 'admin' });
  t.same(parseRoute('#/account'), { view: 'account' });
  t.same(parseRoute(''), { view: 'rooms' });
  t.same(parseRoute('#/elsewhere'), { view: 'rooms' });
});

t.test('a room link that is not valid percent-encoding opens the room list instead of throwing', async (t) => {
  for (const hash of ['#/room/%E0', '#/room/%', '#/room/%zz']) t.same(parseRoute(hash), { view: 'rooms' }, hash);
});
