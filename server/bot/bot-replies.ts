import { BOT_DISPLAY_NAME, MAX_CONTENT_LENGTH } from '../protocol/index.js';

/** What the bot says to someone new, in the DM it opens with them (B1). */
export const GREETING = `Hi, I'm ${BOT_DISPLAY_NAME} 👋 Welcome to Whisper! Write to me any time and I'll answer. Try /help to see what I can do.`;

export const HELP = [
  'Here is what I understand:',
  '/help: this list',
  '/time: the time on the server',
  '/echo <text>: I say <text> back',
  'Anything else: I chat along.',
].join('\n');

/** B1: varied content; one is picked at random for anything that is not a command. */
export const FRIENDLY_REPLIES = [
  'Good to hear from you! 😊',
  'Interesting, tell me more.',
  'I hear you.',
  'Ha, nice one!',
  "That's a good point.",
  "Thanks for the message. I'm all ears.",
  'Hmm, let me think about that… Yes, I agree!',
  "I'm just a bot, but I'm glad you wrote.",
] as const;

export const FILE_REPLY = "Thanks for the file! I can only read text, though.";

/** What the bot needs to know about the message it answers. */
export interface Incoming {
  content: string;
  hasAttachments: boolean;
}

/** "Saturday, 14 March 2026, 14:05:09 UTC": for people, beside the ISO form for programs. */
function friendlyTime(now: Date): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' }).format(now);
}

/**
 * B1: the bot's answer to a message: a command (`/help`, `/time`,
 * `/echo <text>`) or, for anything else, one of FRIENDLY_REPLIES picked
 * with `random` (in [0, 1), like Math.random, so tests can choose).
 */
export function botReply(message: Incoming, random: () => number, now: Date): string {
  const text = message.content.trim();
  const command = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(text);
  if (command) {
    const [, name, rest = ''] = command;
    switch (name.toLowerCase()) {
      case 'help':
        return HELP;
      case 'time':
        return `It's ${friendlyTime(now)} on the server (${now.toISOString()}).`;
      case 'echo':
        // The echo of a full-length message is still a valid message.
        return rest.trim() === '' ? 'Nothing to echo: try /echo hello' : rest.trim().slice(0, MAX_CONTENT_LENGTH);
      default:
        return `I don't know /${name.slice(0, 40)}. Try /help.`;
    }
  }
  if (text === '' && message.hasAttachments) return FILE_REPLY;
  return FRIENDLY_REPLIES[Math.min(FRIENDLY_REPLIES.length - 1, Math.floor(random() * FRIENDLY_REPLIES.length))];
}
