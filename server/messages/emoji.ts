import { MAX_EMOJI_LENGTH } from '../protocol/index.js';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** Emoji are made of pictographs and the parts that join or modify them (ZWJ, VS16, skin tones, tags, keycap, flags). */
const EMOJI_PARTS = /^[\p{Extended_Pictographic}\p{Emoji_Component}]+$/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** A flag: two regional indicators. */
const FLAG = /^\p{Regional_Indicator}{2}$/u;
/** 1️⃣, #️⃣, *️⃣ */
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;

/**
 * X3: what is wrong with a reaction, or null. A reaction is one emoji: one
 * grapheme (a ZWJ family, a flag, a skin-toned hand) built only of emoji
 * parts, and a pictograph, a flag or a keycap. Stored as sent: ❤ and ❤️
 * (with the emoji variation selector) are two different reactions.
 */
export function emojiProblem(emoji: string): string | null {
  if (emoji.length === 0 || emoji.length > MAX_EMOJI_LENGTH) return `an emoji has 1–${MAX_EMOJI_LENGTH} UTF-16 code units`;
  const single = EMOJI_PARTS.test(emoji) && [...graphemes.segment(emoji)].length === 1;
  if (!single || !(PICTOGRAPH.test(emoji) || FLAG.test(emoji) || KEYCAP.test(emoji))) return 'a reaction is one emoji';
  return null;
}
