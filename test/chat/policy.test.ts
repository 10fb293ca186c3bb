import t from 'tap';
import {
  firstReadableSeq, mayActInRoom, mayAdminister, mayDelete, mayEdit, mayAttachFile, mayFetchFile, mayUseAsAvatar, mayInvite, mayJoin, mayLeave, mayManageIntegrations, mayRemove, maySetRole,
  roleNeeded, ROOM_ROLES, type FileFacts, type RoomAction, type RoomFacts, type RoomKind, type RoomRole, type Standing, type Verdict,
} from '../../src/chat/policy.js';
import { REASONS } from '../../src/protocol/reasons.js';

const group: RoomFacts = { kind: 'group', joinRule: 'invite', owners: 2, joined: 5 };
const publicGroup: RoomFacts = { ...group, joinRule: 'public' };
const direct: RoomFacts = { kind: 'direct', joinRule: 'invite', owners: 0, joined: 2 };
const joined = (role: RoomRole): Standing => ({ state: 'joined', role });
const outcome = (v: Verdict): string => (v.ok ? 'ok' : v.reason);

t.test('what each role may do to a room, in invite-only and public group rooms and in direct rooms', async (t) => {
  // Rows: action; columns: member, moderator, owner in a group room (the same whatever its join rule),
  // then any member of a direct room.
  const table: Array<[RoomAction, string, string, string, string]> = [
    ['read', 'ok', 'ok', 'ok', 'ok'],
    ['post', 'ok', 'ok', 'ok', 'ok'],
    ['react', 'ok', 'ok', 'ok', 'ok'],
    ['mark_read', 'ok', 'ok', 'ok', 'ok'],
    ['typing', 'ok', 'ok', 'ok', 'ok'],
    ['invite', 'ok', 'ok', 'ok', 'direct_room'],
    ['rename', 'not_allowed_for_role', 'ok', 'ok', 'direct_room'],
    ['set_topic', 'not_allowed_for_role', 'ok', 'ok', 'direct_room'],
    ['set_avatar', 'not_allowed_for_role', 'ok', 'ok', 'direct_room'],
    ['set_join_rule', 'not_allowed_for_role', 'not_allowed_for_role', 'ok', 'direct_room'],
    ['set_history', 'not_allowed_for_role', 'not_allowed_for_role', 'ok', 'direct_room'],
    ['set_role', 'not_allowed_for_role', 'ok', 'ok', 'direct_room'],
    ['remove', 'not_allowed_for_role', 'ok', 'ok', 'direct_room'],
    ['delete_others', 'not_allowed_for_role', 'ok', 'ok', 'direct_room'],
  ];
  for (const [action, member, moderator, owner, inDirect] of table) {
    for (const [room, label] of [[group, 'invite-only'], [publicGroup, 'public']] as const) {
      t.equal(outcome(mayActInRoom(room, joined('member'), action)), member, `${action} by a member (${label})`);
      t.equal(outcome(mayActInRoom(room, joined('moderator'), action)), moderator, `${action} by a moderator (${label})`);
      t.equal(outcome(mayActInRoom(room, joined('owner'), action)), owner, `${action} by an owner (${label})`);
    }
    t.equal(outcome(mayActInRoom(direct, joined('member'), action)), inDirect, `${action} in a direct room`);
    // Nobody acts in a room they are not in: never joined, invited, left or removed. A public room
    // is open to join, not to act in before joining.
    for (const [room, label] of [[group, 'invite-only'], [publicGroup, 'public'], [direct, 'direct']] as const) {
      t.equal(outcome(mayActInRoom(room, null, action)), 'not_member', `${action} by a stranger (${label})`);
      for (const state of ['invited', 'left', 'removed'] as const) {
        t.equal(outcome(mayActInRoom(room, { state, role: 'owner' }, action)), 'not_member', `${action} while ${state} (${label})`);
      }
    }
  }
  t.equal(roleNeeded('rename'), 'moderator');
  t.equal(roleNeeded('set_join_rule'), 'owner');
});

t.test('joining: public rooms from the directory, anything by invitation, never back after removal uninvited', async (t) => {
  const cases: Array<[string, RoomFacts, Standing | null, string]> = [
    ['a stranger joins a public room', publicGroup, null, 'ok'],
    ['a stranger joins an invite-only room', group, null, 'not_invited'],
    ['an invited user accepts (invite-only)', group, { state: 'invited', role: 'member' }, 'ok'],
    ['someone who left rejoins a public room', publicGroup, { state: 'left', role: 'member' }, 'ok'],
    ['someone who left an invite-only room rejoins uninvited', group, { state: 'left', role: 'member' }, 'not_invited'],
    ['a removed user rejoins a public room uninvited', publicGroup, { state: 'removed', role: 'member' }, 'removed'],
    ['a removed user who was invited again accepts', publicGroup, { state: 'invited', role: 'member' }, 'ok'],
    ['a member joins again', publicGroup, joined('member'), 'already_member'],
    ['a stranger joins a direct room', { ...direct, joinRule: 'public' }, null, 'not_invited'],
  ];
  for (const [name, room, me, want] of cases) t.equal(outcome(mayJoin(room, me)), want, name);
});

t.test('leaving and declining; the last owner stays while others are there', async (t) => {
  const lastOwner: RoomFacts = { ...group, owners: 1 };
  t.equal(outcome(mayLeave(group, joined('member'))), 'ok', 'a member leaves');
  t.equal(outcome(mayLeave(group, { state: 'invited', role: 'member' })), 'ok', 'an invitation is declined');
  t.equal(outcome(mayLeave(group, joined('owner'))), 'ok', 'one of two owners leaves');
  t.equal(outcome(mayLeave(lastOwner, joined('owner'))), 'last_owner', 'the last owner of a room with others');
  t.equal(outcome(mayLeave({ ...lastOwner, joined: 1 }, joined('owner'))), 'ok', 'the last person of all leaves');
  t.equal(outcome(mayLeave(direct, joined('member'))), 'ok', 'a direct room can be left');
  t.equal(outcome(mayLeave(group, null)), 'not_member', 'a stranger cannot leave');
  t.equal(outcome(mayLeave(group, { state: 'left', role: 'member' })), 'not_member', 'leaving twice');
});

t.test('inviting: members invite people who are not already in; never a disabled or unknown user', async (t) => {
  const nobody = { exists: true, disabled: false, standing: null };
  t.equal(outcome(mayInvite(group, joined('member'), nobody)), 'ok');
  t.equal(outcome(mayInvite(group, joined('member'), { ...nobody, disabled: true })), 'user_unavailable');
  t.equal(outcome(mayInvite(group, joined('member'), { ...nobody, exists: false })), 'user_unavailable');
  t.equal(outcome(mayInvite(group, joined('member'), { ...nobody, standing: joined('member') })), 'already_member');
  t.equal(outcome(mayInvite(group, joined('member'), { ...nobody, standing: { state: 'invited', role: 'member' } })), 'already_member');
  t.equal(outcome(mayInvite(group, joined('member'), { ...nobody, standing: { state: 'removed', role: 'member' } })), 'ok', 'a removed user may be invited back');
  t.equal(outcome(mayInvite(group, null, nobody)), 'not_member');
  t.equal(outcome(mayInvite(direct, joined('member'), nobody)), 'direct_room');
  t.equal(outcome(mayInvite(publicGroup, joined('member'), nobody)), 'ok', 'the same in a public room');
  t.equal(outcome(mayInvite(publicGroup, null, nobody)), 'not_member', 'a public room is joined, not invited into, by strangers');
});

t.test('removing and changing roles: over a lower role only (owners over owners), never the last owner', async (t) => {
  // [actor, target] -> outcome of remove; owners: 2 so no last-owner case here.
  const expected: Record<RoomRole, Record<RoomRole, string>> = {
    member: { member: 'not_allowed_for_role', moderator: 'not_allowed_for_role', owner: 'not_allowed_for_role' },
    moderator: { member: 'ok', moderator: 'target_outranks', owner: 'target_outranks' },
    owner: { member: 'ok', moderator: 'ok', owner: 'ok' },
  };
  for (const actor of ROOM_ROLES) {
    for (const target of ROOM_ROLES) {
      t.equal(outcome(mayRemove(group, joined(actor), joined(target))), expected[actor][target], `${actor} removes a ${target}`);
      t.equal(outcome(mayRemove(publicGroup, joined(actor), joined(target))), expected[actor][target], `${actor} removes a ${target} (public)`);
      t.equal(outcome(mayRemove(direct, joined(actor), joined(target))), 'direct_room', `${actor} removes in a direct room`);
    }
  }
  t.equal(outcome(mayRemove(group, joined('owner'), { state: 'invited', role: 'member' })), 'ok', 'an invitation is withdrawn');
  t.equal(outcome(mayRemove(group, joined('owner'), null)), 'target_not_member');
  t.equal(outcome(mayRemove(group, joined('owner'), { state: 'left', role: 'member' })), 'target_not_member');
  t.equal(outcome(mayRemove({ ...group, owners: 1 }, joined('owner'), joined('owner'))), 'last_owner', 'the last owner cannot be removed');

  const roles: Array<[RoomRole, RoomRole, RoomRole, string]> = [
    ['moderator', 'member', 'moderator', 'ok'],
    ['moderator', 'member', 'owner', 'not_allowed_for_role'],
    ['moderator', 'moderator', 'member', 'target_outranks'],
    ['owner', 'moderator', 'member', 'ok'],
    ['owner', 'member', 'owner', 'ok'],
    ['owner', 'owner', 'moderator', 'ok'],
    ['member', 'member', 'moderator', 'not_allowed_for_role'],
  ];
  for (const [actor, target, role, want] of roles) {
    t.equal(outcome(maySetRole(group, joined(actor), joined(target), role)), want, `${actor} makes a ${target} ${role}`);
    t.equal(outcome(maySetRole(publicGroup, joined(actor), joined(target), role)), want, `${actor} makes a ${target} ${role} (public)`);
    t.equal(outcome(maySetRole(direct, joined(actor), joined(target), role)), 'direct_room', `${actor} makes a ${target} ${role} in a direct room`);
  }
  t.equal(outcome(maySetRole({ ...group, owners: 1 }, joined('owner'), joined('owner'), 'member')), 'last_owner', 'the last owner cannot be demoted');
});

t.test('messages: edit own within the window; delete own, or others as moderator, owner or server admin', async (t) => {
  const me = 7;
  const mine = { sender: me, ts: 1_000, deleted: false };
  const theirs = { sender: 8, ts: 1_000, deleted: false };
  t.equal(outcome(mayEdit(joined('member'), me, mine, 1_000 + 60_000, 60_000)), 'ok', 'at the end of the window');
  t.equal(outcome(mayEdit(joined('member'), me, mine, 1_001 + 60_000, 60_000)), 'edit_window_passed');
  t.equal(outcome(mayEdit(joined('owner'), me, theirs, 1_000, 60_000)), 'not_own_message', 'nobody edits another\'s words');
  t.equal(outcome(mayEdit(joined('member'), me, { ...mine, deleted: true }, 1_000, 60_000)), 'message_deleted');
  t.equal(outcome(mayEdit({ state: 'left', role: 'member' }, me, mine, 1_000, 60_000)), 'not_member');

  const del = (kind: RoomKind, role: RoomRole, serverRole: 'admin' | 'member', msg: typeof mine): string =>
    outcome(mayDelete(kind === 'group' ? group : direct, joined(role), me, serverRole, msg));
  t.equal(del('group', 'member', 'member', mine), 'ok');
  t.equal(del('group', 'member', 'member', theirs), 'not_own_message');
  t.equal(del('group', 'moderator', 'member', theirs), 'ok');
  t.equal(del('group', 'owner', 'member', theirs), 'ok');
  t.equal(del('direct', 'owner', 'member', theirs), 'not_own_message', 'no moderators in a direct room');
  t.equal(del('group', 'member', 'admin', theirs), 'ok', 'a server admin in the room');
  t.equal(del('group', 'owner', 'member', { ...theirs, deleted: true }), 'message_deleted');
  t.equal(outcome(mayDelete(group, null, me, 'admin', theirs)), 'not_member', 'an admin outside the room reads and deletes nothing');
});

t.test('files: enabled members of the file\'s room, once a standing message carries it (the uploader before)', async (t) => {
  const cases: Array<[string, FileFacts, string]> = [
    ['a member fetches a posted file', { member: true, enabled: true, uploader: false, posted: true, unplaced: false }, 'ok'],
    ['the uploader fetches it before sending', { member: true, enabled: true, uploader: true, posted: false, unplaced: false }, 'ok'],
    ['a member fetches an upload not sent yet', { member: true, enabled: true, uploader: false, posted: false, unplaced: false }, 'not_member'],
    ['a stranger fetches a posted file', { member: false, enabled: true, uploader: false, posted: true, unplaced: false }, 'not_member'],
    ['the uploader, since removed from the room', { member: false, enabled: true, uploader: true, posted: true, unplaced: false }, 'not_member'],
    ['a disabled member, by a link issued earlier', { member: true, enabled: false, uploader: true, posted: true, unplaced: false }, 'not_member'],
    ['the uploader of a file in no room yet (a Matrix upload)', { member: false, enabled: true, uploader: true, posted: false, unplaced: true }, 'ok'],
    ['anyone else, a file in no room yet', { member: false, enabled: true, uploader: false, posted: false, unplaced: true }, 'not_member'],
    ['a disabled uploader, a file in no room yet', { member: false, enabled: false, uploader: true, posted: false, unplaced: true }, 'not_member'],
  ];
  for (const [name, facts, want] of cases) t.equal(outcome(mayFetchFile(facts)), want, name);
});

t.test('a picture: one\'s own avatar upload, or one\'s own image uploaded over Matrix and not sent anywhere', async (t) => {
  t.equal(mayUseAsAvatar({ uploader: true, avatarUpload: true, unplacedImage: false }), true, 'an avatar upload of one\'s own');
  t.equal(mayUseAsAvatar({ uploader: true, avatarUpload: false, unplacedImage: true }), true, 'one\'s own Matrix image upload');
  t.equal(mayUseAsAvatar({ uploader: true, avatarUpload: false, unplacedImage: false }), false, 'a file already sent in a room, or not an image');
  t.equal(mayUseAsAvatar({ uploader: false, avatarUpload: true, unplacedImage: false }), false, 'someone else\'s avatar upload');
  t.equal(mayUseAsAvatar({ uploader: false, avatarUpload: false, unplacedImage: true }), false, 'someone else\'s Matrix upload');
});

t.test('attaching a file: its uploader, to the room it was uploaded to or, while it is in none, to any', async (t) => {
  t.equal(mayAttachFile({ uploader: true, sameRoom: true, unplaced: false }), true, 'one\'s own upload to this room');
  t.equal(mayAttachFile({ uploader: true, sameRoom: false, unplaced: false }), false, 'one\'s own upload to another room');
  t.equal(mayAttachFile({ uploader: true, sameRoom: false, unplaced: true }), true, 'one\'s own Matrix upload, in no room yet');
  t.equal(mayAttachFile({ uploader: false, sameRoom: false, unplaced: true }), false, 'someone else\'s Matrix upload');
  t.equal(mayAttachFile({ uploader: false, sameRoom: true, unplaced: false }), false, 'someone else\'s upload to this room');
});

t.test('server-wide settings are for admins only; history visibility sets the first readable seq', async (t) => {
  t.equal(outcome(mayAdminister('admin')), 'ok');
  t.equal(outcome(mayAdminister('member')), 'admin_only');
  t.equal(outcome(mayAdminister('bot')), 'admin_only');
  t.equal(firstReadableSeq('shared', 40), 1);
  t.equal(firstReadableSeq('joined', 40), 41);
});

t.test('a room\'s integrations are run by its owners and moderators and by admins, never by a bot', async (t) => {
  // Columns: server role; rows: the asker's standing in the room.
  const standings: Array<[string, Standing | null]> = [
    ['never a member', null],
    ['invited', { state: 'invited', role: 'member' }],
    ['left moderator', { state: 'left', role: 'moderator' }],
    ['member', joined('member')],
    ['moderator', joined('moderator')],
    ['owner', joined('owner')],
  ];
  const table: Record<string, [admin: string, member: string, bot: string]> = {
    'never a member': ['ok', 'not_member', 'not_allowed_for_role'],
    invited: ['ok', 'not_member', 'not_allowed_for_role'],
    'left moderator': ['ok', 'not_member', 'not_allowed_for_role'],
    member: ['ok', 'not_allowed_for_role', 'not_allowed_for_role'],
    moderator: ['ok', 'ok', 'not_allowed_for_role'],
    owner: ['ok', 'ok', 'not_allowed_for_role'],
  };
  for (const [label, me] of standings) {
    const got = (['admin', 'member', 'bot'] as const).map((role) => outcome(mayManageIntegrations(group, me, role)));
    t.same(got, table[label], label);
  }
  for (const role of ['admin', 'member', 'bot'] as const) {
    t.equal(outcome(mayManageIntegrations(direct, joined('owner'), role)), 'direct_room', `a direct room has none (${role})`);
  }
});

t.test('every reason a rule gives is in the registry with a wire code', async (t) => {
  for (const [name, r] of Object.entries(REASONS)) t.ok(r.code.length > 0 && r.description.length > 10, name);
});
