import t from 'tap';
import { MatrixIds } from '../../src/matrix/ids.js';

t.test('user, room and event ids resolve back to what they name', async (t) => {
  const ids = new MatrixIds('home.lan');
  t.equal(ids.user('Alice'), '@alice:home.lan', 'localparts are lower case');
  t.equal(ids.localpart('@alice:home.lan'), 'alice');
  t.equal(ids.localpart('@alice:elsewhere.org'), null, 'another server\'s user is not ours');
  t.equal(ids.room(42), '!r42:home.lan');
  t.equal(ids.roomOf('!r42:home.lan'), 42);
  t.equal(ids.roomOf('!r42:other'), null);
  t.equal(ids.roomOf('!r0:home.lan'), null, 'no room 0');
  t.same(ids.event(ids.row(3, 17)), { kind: 'row', room: 3, seq: 17 });
  t.same(ids.event(ids.change(3, 5)), { kind: 'change', room: 3, cseq: 5 });
  t.same(ids.event(ids.state(3, 'm.room.member', '@bob:home.lan')), { kind: 'state', room: 3, type: 'm.room.member', key: '@bob:home.lan' });
  t.equal(ids.event('$somethingelse'), null);
  t.equal(ids.event('$r3-0'), null, 'seqs start at 1');
  t.notOk(/[/?#]/.test(ids.state(3, 'm.room.member', '@bob:home.lan')), 'event ids are safe in a path');
});
