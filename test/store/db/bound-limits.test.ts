import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

/*
 * SQLite (3.46 on) plans `LIMIT ?` with the parameter's bound value and marks
 * the statement to be compiled again whenever that parameter is bound — and
 * better-sqlite3 binds on every call, so each run parsed and planned the
 * statement anew (4 us against 0.13 us for an empty stream read here).
 * `LIMIT +?` is a bound limit the planner does not look into.
 */

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

t.test('no statement in the server binds a bare LIMIT parameter', async (t) => {
  const src = fileURLToPath(new URL('../../../src/', import.meta.url));
  const bare = sources(src).flatMap((file) => readFileSync(file, 'utf8').split('\n')
    .map((line, i) => ({ where: `${file.slice(src.length)}:${i + 1}`, line }))
    .filter((l) => /LIMIT\s+[?:@$]/.test(l.line)));
  t.same(bare.map((b) => b.where), [], 'write LIMIT +? (see this test\'s comment)');
});

t.test('LIMIT +? limits like LIMIT ?', async (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  db.exec('CREATE TABLE n (v INTEGER PRIMARY KEY)');
  const insert = db.prepare('INSERT INTO n (v) VALUES (?)');
  for (let v = 1; v <= 10; v++) insert.run(v);
  const page = db.prepare('SELECT v FROM n WHERE v > ? ORDER BY v LIMIT +?').pluck();
  t.same(page.all(2, 3), [3, 4, 5]);
  t.same(page.all(8, 5), [9, 10]);
  t.same(page.all(0, 0), [], 'a limit of 0 reads nothing');
  t.same(page.all(7, -1), [8, 9, 10], 'a negative limit reads everything, as LIMIT -1 does');
});
