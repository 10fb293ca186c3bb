import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWritable } from '../../../src/store/db/database.js';
import { ENTRY_EXTRA_PREFIX, IS_ENTRY_SQL, isEntryExtra } from '../../../src/store/write/room-timeline.js';

t.test('an entry is told from a message by its extra, in code and in SQL alike', async (t) => {
  t.ok(isEntryExtra(`${ENTRY_EXTRA_PREFIX}{"kind":"joined"}}`));
  t.notOk(isEntryExtra('{"files":[]}'));
  t.notOk(isEntryExtra(null));
  t.ok(IS_ENTRY_SQL.includes(`'${ENTRY_EXTRA_PREFIX}%'`), 'the SQL test matches the same prefix');
});

t.test('counting the entries after a read mark reads the entries\' own index, not every message after the mark', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-entries-'));
  const db = openWritable(dir);
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM messages m WHERE m.room_id = ? AND m.seq > ? AND ${IS_ENTRY_SQL}`)
    .all(1, 0) as Array<{ detail: string }>;
  t.match(plan.map((p) => p.detail).join('\n'), /USING (COVERING )?INDEX messages_entries \(room_id=\? AND seq>\?\)/);
});
