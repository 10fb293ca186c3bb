/**
 * The reactions the picker offers: the quick row shown first, then common
 * emoji in groups. Fully-qualified sequences (with U+FE0F where Unicode
 * wants it), so every platform draws the colour glyph, not a text symbol.
 */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

export interface EmojiGroup { key: 'smileys' | 'people' | 'hearts' | 'things'; emoji: readonly string[] }

export const EMOJI_GROUPS: readonly EmojiGroup[] = [
  {
    key: 'smileys',
    emoji: ['😀', '😄', '😁', '😆', '😅', '🤣', '😂', '🙂', '😉', '😊', '😇', '🥰', '😍', '😘', '😋', '😜', '🤪', '🤔', '🤨', '😐',
      '🙄', '😏', '😬', '😌', '😴', '😷', '🥳', '😎', '🤓', '😕', '😟', '😮', '😲', '😳', '🥺', '😢', '😭', '😱', '😤', '😡'],
  },
  { key: 'people', emoji: ['👍', '👎', '👌', '✌️', '🤞', '🤝', '👏', '🙌', '🙏', '💪', '👋', '🤷', '🙈', '👀'] },
  { key: 'hearts', emoji: ['❤️', '🧡', '💛', '💚', '💙', '💜', '🖤', '🤍', '💔', '💕'] },
  { key: 'things', emoji: ['🎉', '🎂', '🎁', '✅', '❌', '⭐', '🔥', '💯', '💡', '☕', '🍕', '🍺', '🚀', '⚽', '🎵', '📌'] },
];
