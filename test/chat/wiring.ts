/** The rest of a ChatService's required wiring, real but inert, for tests about other frames. */
import type { Membership } from '../../src/chat/membership.js';
import { MessageActions } from '../../src/chat/message-actions.js';
import { Mutes } from '../../src/chat/mutes.js';
import type { Fanout, WriteQueue } from '../../src/chat/ports.js';
import { Presence } from '../../src/chat/presence.js';
import type { RateLimits } from '../../src/chat/service.js';

export function actionWiring(writer: WriteQueue, fanout: Fanout, membership: Membership): { actions: MessageActions; mutes: Mutes; rateLimits: RateLimits } {
  const mutes = new Mutes();
  const presence = new Presence({ membership, fanout, enabled: false, maxRoomSize: 0, socketCount: () => 0 });
  const actions = new MessageActions({
    writer, fanout, membership, mutes, presence, editWindowMs: 15 * 60_000,
    subscriptions: { subscribe: () => undefined, unsubscribe: () => undefined },
  });
  return { actions, mutes, rateLimits: { framesPerSecond: 20, frameBurst: 100, userFramesPerSecond: 100, userFrameBurst: 500 } };
}
