import type { JoinRuleName, RoomRoleName } from '../../protocol/frames.js';
import type { Reason } from '../../protocol/reasons.js';

/**
 * The room rules as the writer asks them. The rules themselves are
 * chat/policy.ts; the store may not import the chat layer, so the one file
 * that starts the writer thread (writer-thread.ts) passes them in, and these
 * types only describe their shape (policy.ts satisfies them structurally).
 */
export interface RuleRoom { kind: 'group' | 'direct'; joinRule: JoinRuleName; owners: number; joined: number }
export interface RuleStanding { state: 'invited' | 'joined' | 'left' | 'removed'; role: RoomRoleName }
export type RuleVerdict = { ok: true } | { ok: false; reason: Reason };
export type RuleAction = 'invite' | 'rename' | 'set_topic' | 'set_avatar' | 'set_join_rule' | 'set_history' | 'set_role';

/** The file rules the writer asks inside its transaction (policy.ts's mayAttachFile and mayUseAsAvatar). */
export interface FileRules {
  mayAttachFile(f: { uploader: boolean; sameRoom: boolean; unplaced: boolean }): boolean;
  mayUseAsAvatar(f: { uploader: boolean; avatarUpload: boolean; unplacedImage: boolean }): boolean;
}

export interface RoomRules extends FileRules {
  mayActInRoom(room: RuleRoom, me: RuleStanding | null, action: RuleAction): RuleVerdict;
  mayJoin(room: RuleRoom, me: RuleStanding | null): RuleVerdict;
  mayLeave(room: RuleRoom, me: RuleStanding | null): RuleVerdict;
  mayInvite(room: RuleRoom, me: RuleStanding | null, invitee: { exists: boolean; disabled: boolean; standing: RuleStanding | null }): RuleVerdict;
  mayRemove(room: RuleRoom, me: RuleStanding | null, target: RuleStanding | null): RuleVerdict;
  maySetRole(room: RuleRoom, me: RuleStanding | null, target: RuleStanding | null, role: RoomRoleName): RuleVerdict;
  mayDelete(
    room: RuleRoom, me: RuleStanding | null, userId: number, serverRole: 'admin' | 'member' | 'bot',
    msg: { sender: number; ts: number; deleted: boolean },
  ): RuleVerdict;
}
