import t from 'tap';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../src/store/db/migrations.js';
import { schemaAt } from '../../helpers/schema-at.js';

t.test('a schema-5 database migrates to 6: its users are people, no hooks or webhooks yet', async (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  schemaAt(db, 5);
  db.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES ('alice', 'admin', 'x', 1)").run();
  t.same(migrate(db)[0], 6);
  t.ok(schemaVersion(db) >= 6);
  t.same(db.prepare('SELECT name, role, kind FROM users').all(), [{ name: 'alice', role: 'admin', kind: 'person' }]);
  t.throws(() => db.prepare("UPDATE users SET kind = 'robot'").run(), /CHECK/, 'a kind is person or bot');
  t.same(db.prepare('SELECT count(*) AS n FROM hooks').get(), { n: 0 });
  t.same(db.prepare('SELECT count(*) AS n FROM outgoing_webhooks').get(), { n: 0 });
});
