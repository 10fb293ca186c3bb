import type { RoomEvent } from '../../protocol/frames.js';

/**
 * A timeline entry as a line of text for exports ("alice invited bob").
 * `who` is whoever acted; `nameOf` names the user an entry is about.
 */
export function entryText(event: RoomEvent, who: string, nameOf: (id: string) => string): string {
  switch (event.kind) {
    case 'created': return `${who} created the room "${event.name}"`;
    case 'invited': return `${who} invited ${nameOf(event.user)}`;
    case 'joined': return `${who} joined`;
    case 'declined': return `${who} declined the invitation`;
    case 'left': return `${who} left`;
    case 'removed': return `${who} removed ${nameOf(event.user)}`;
    case 'role': return `${who} made ${nameOf(event.user)} ${event.role}`;
    case 'name': return `${who} renamed the room to "${event.name}"`;
    case 'topic': return event.topic === '' ? `${who} cleared the topic` : `${who} set the topic to "${event.topic}"`;
    case 'avatar': return event.fileId === null ? `${who} removed the room picture` : `${who} changed the room picture`;
    case 'join_rule': return event.joinRule === 'public' ? `${who} made the room public` : `${who} made the room invite-only`;
    case 'history': return event.history === 'joined' ? `${who} let new members read only from their joining on` : `${who} let new members read the whole history`;
  }
}
