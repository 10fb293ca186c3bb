import type { AdminInviteLink, AdminOpName, AdminOps, AdminRoom, AdminUser } from './admin-ops.js';
import { apiActor } from '../history/audit.js';
import type { Db } from '../db/database.js';
import { addMember, addUser, createRoom, disableUser, findRoom, findUser, removeMember, setPassword, type RoomRow, type UserRow } from './admin.js';
import { createInviteLink, listInviteLinks, redeemInviteLink, revokeInviteLink, usableInviteLink, type InviteLink } from './invite-links.js';
import { enableUser, setUserRole } from './user-admin.js';
import { addWebhook, createHook, listHooks, listWebhooks, removeWebhook, revokeHook, type HookRow, type WebhookRow } from './hooks.js';
import type { WireHook, WireWebhook } from '../../protocol/integrations.js';
import { assistantIn, setAssistantMember } from './assistant.js';

type Handlers = { [K in AdminOpName]: (args: AdminOps[K]['in'], actor: string) => AdminOps[K]['out'] };

const user = (u: UserRow): AdminUser => ({ id: String(u.id), name: u.name, role: u.role, disabled: u.disabled !== 0, createdAt: u.created_at });

function room(db: Db, r: RoomRow): AdminRoom {
  const ids = db.prepare('SELECT user_id FROM members WHERE room_id = ? ORDER BY user_id').all(r.id) as Array<{ user_id: number }>;
  return { id: String(r.id), name: r.name, kind: r.kind, lastSeq: r.last_seq, createdAt: r.created_at, members: ids.map((m) => String(m.user_id)) };
}

const hook = (h: HookRow): WireHook => ({
  id: String(h.id), room: String(h.room), name: h.name, bot: String(h.bot), botName: h.botName, createdBy: h.createdBy, createdAt: h.createdAt, revokedAt: h.revokedAt,
});
const webhook = (w: WebhookRow): WireWebhook => ({
  id: String(w.id), room: String(w.room), bot: String(w.bot), botName: w.botName, url: w.url, trigger: w.trigger, createdBy: w.createdBy, createdAt: w.createdAt,
});

const link = (l: InviteLink): AdminInviteLink => ({ ...l, createdBy: String(l.createdBy), rooms: l.rooms.map(String) });

/** Each admin operation as the CLI's store function, with the admin (or the newcomer) as the audit actor. */
export function adminHandlers(db: Db): Handlers {
  return {
    'user.create': (a, actor) => user(addUser(db, a.name, a.role, a.passwordHash, apiActor(actor))),
    'user.password': (a, actor) => {
      setPassword(db, a.name, a.passwordHash, apiActor(actor));
      return user(findUser(db, a.name));
    },
    'user.disable': (a, actor) => user(disableUser(db, a.name, apiActor(actor))),
    'user.enable': (a, actor) => user(enableUser(db, a.name, apiActor(actor))),
    'user.role': (a, actor) => user(setUserRole(db, a.name, a.role, apiActor(actor))),
    'room.create': (a, actor) => room(db, createRoom(db, a.name, a.members, apiActor(actor))),
    'room.add': (a, actor) => ({ changed: addMember(db, a.room, a.user, apiActor(actor)) }),
    'room.remove': (a, actor) => ({ changed: removeMember(db, a.room, a.user, apiActor(actor)) }),
    'invite.create': (a, actor) => {
      const made = createInviteLink(db, a, apiActor(actor));
      return { token: made.token, link: link(made.link) };
    },
    'invite.list': () => listInviteLinks(db).map(link),
    'invite.revoke': (a, actor) => ({ changed: revokeInviteLink(db, a.id, apiActor(actor)) }),
    'invite.check': (a) => {
      const l = usableInviteLink(db, a.token);
      const rooms = l.rooms.flatMap((id) => {
        try {
          const r = findRoom(db, String(id));
          return [{ id: String(r.id), name: r.name }];
        } catch {
          return []; // deleted since the link was made: redeeming skips it too
        }
      });
      return { expiresAt: l.expiresAt, rooms };
    },
    'invite.redeem': (a) => {
      const r = redeemInviteLink(db, a);
      return { user: user(r.user), rooms: r.rooms.map(String) };
    },
    'integrations.list': (a) => {
      const assistant = assistantIn(db, a.room);
      return { hooks: listHooks(db, a.room).map(hook), webhooks: listWebhooks(db, a.room).map(webhook), ...(assistant === undefined ? {} : { assistant }) };
    },
    'assistant.member': (a, actor) => ({ changed: setAssistantMember(db, a.room, a.member, apiActor(actor)) }),
    'hook.create': (a, actor) => {
      const made = createHook(db, { room: a.room, name: a.name, createdBy: actor }, apiActor(actor));
      return { hook: hook(made.hook), token: made.token };
    },
    'hook.revoke': (a, actor) => ({ changed: revokeHook(db, a.id, apiActor(actor), findRoom(db, a.room).id) }),
    'webhook.add': (a, actor) => {
      const made = addWebhook(db, { ...a, createdBy: actor }, apiActor(actor));
      return { webhook: webhook(made.webhook), secret: made.secret };
    },
    'webhook.remove': (a, actor) => {
      removeWebhook(db, a.id, apiActor(actor), findRoom(db, a.room).id);
      return { changed: true };
    },
  };
}
