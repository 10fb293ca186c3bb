/**
 * The spec's default push rules for a user ("Predefined rules"), trimmed to
 * what unencrypted rooms use. Nothing is pushed from this server; clients
 * read these to decide what to notify about locally, and matrix-js-sdk will
 * not start without a valid rule set.
 */
export function defaultPushRules(userId: string, localpart: string): Record<string, unknown> {
  const notify = ['notify'];
  const sound = ['notify', { set_tweak: 'sound', value: 'default' }];
  const highlight = ['notify', { set_tweak: 'sound', value: 'default' }, { set_tweak: 'highlight' }];
  return {
    global: {
      override: [
        { rule_id: '.m.rule.master', default: true, enabled: false, conditions: [], actions: [] },
        { rule_id: '.m.rule.suppress_notices', default: true, enabled: true, conditions: [{ kind: 'event_match', key: 'content.msgtype', pattern: 'm.notice' }], actions: [] },
        { rule_id: '.m.rule.invite_for_me', default: true, enabled: true, conditions: [
          { kind: 'event_match', key: 'type', pattern: 'm.room.member' },
          { kind: 'event_match', key: 'content.membership', pattern: 'invite' },
          { kind: 'event_match', key: 'state_key', pattern: userId },
        ], actions: sound },
        { rule_id: '.m.rule.member_event', default: true, enabled: true, conditions: [{ kind: 'event_match', key: 'type', pattern: 'm.room.member' }], actions: [] },
        { rule_id: '.m.rule.is_user_mention', default: true, enabled: true, conditions: [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }], actions: highlight },
        { rule_id: '.m.rule.reaction', default: true, enabled: true, conditions: [{ kind: 'event_match', key: 'type', pattern: 'm.reaction' }], actions: [] },
        { rule_id: '.m.rule.room.server_acl', default: true, enabled: true, conditions: [{ kind: 'event_match', key: 'type', pattern: 'm.room.server_acl' }, { kind: 'event_match', key: 'state_key', pattern: '' }], actions: [] },
      ],
      content: [
        { rule_id: '.m.rule.contains_user_name', default: true, enabled: true, pattern: localpart, actions: highlight },
      ],
      room: [],
      sender: [],
      underride: [
        { rule_id: '.m.rule.room_one_to_one', default: true, enabled: true, conditions: [{ kind: 'room_member_count', is: '2' }, { kind: 'event_match', key: 'type', pattern: 'm.room.message' }], actions: sound },
        { rule_id: '.m.rule.message', default: true, enabled: true, conditions: [{ kind: 'event_match', key: 'type', pattern: 'm.room.message' }], actions: notify },
      ],
    },
  };
}
