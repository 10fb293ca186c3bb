import { setMemberRole } from '../../src/store/admin/admin.js';
import type { TestServer, TestUser } from './server.js';

/** The room "family" of alice (a moderator) and bob (a member), as the integration tests start from. */
export async function familyModeratedByAlice(ts: TestServer): Promise<{ alice: TestUser; bob: TestUser; room: string }> {
  const alice = await ts.user('alice');
  const bob = await ts.user('bob');
  const room = await ts.room('family', ['alice', 'bob']);
  ts.admin((db) => setMemberRole(db, 'family', 'alice', 'moderator'));
  await ts.followed();
  return { alice, bob, room };
}
