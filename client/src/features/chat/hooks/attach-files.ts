import type { NewFile } from '../../../shared/sync/outbox-files';
import { toBase64, waveformOfChannels } from '../voice/waveform';

/** Audio files larger than this get no waveform: decoding holds the whole signal in memory. */
export const MAX_DECODE_BYTES = 10 * 1024 * 1024;
/** Nor do ones longer than this (when their length is known beforehand), for the same reason. */
export const MAX_DECODE_DURATION_MS = 30 * 60 * 1000;
/** The rate a file is decoded at: plenty for its loudness, and a sixth of the memory of 48 kHz. */
const DECODE_SAMPLE_RATE = 8000;
/** A decode that takes longer is given up (ms): the message waits for it. */
const DECODE_TIMEOUT_MS = 5000;
/** How long an <audio> element may take to read a file's length (ms). */
const DURATION_TIMEOUT_MS = 3000;

function kindOf(file: File): NewFile['kind'] | null {
  if (file.type.startsWith('image/')) return 'image';
  if (file.type.startsWith('audio/')) return 'audio';
  return null;
}

/** An image's size in pixels, so its tile keeps its aspect ratio before it loads (F6); null when the browser cannot tell. */
async function imageSize(file: Blob): Promise<{ width: number; height: number } | null> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file);
      const size = { width: bitmap.width, height: bitmap.height };
      bitmap.close();
      return size;
    } catch {
      // Not decodable here (or a format only <img> takes): try an <img>.
    }
  }
  if (typeof URL.createObjectURL !== 'function' || typeof Image === 'undefined') return null;
  const url = URL.createObjectURL(file);
  try {
    return await new Promise((resolve) => {
      const image = new Image();
      image.onload = () => resolve({ width: image.naturalWidth, height: image.naturalHeight });
      image.onerror = () => resolve(null);
      image.src = url;
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** An audio file's length in ms, read by an <audio> element; null when it cannot be read quickly. */
async function audioDuration(file: Blob): Promise<number | null> {
  if (typeof URL.createObjectURL !== 'function' || typeof Audio === 'undefined') return null;
  const url = URL.createObjectURL(file);
  try {
    return await new Promise((resolve) => {
      const audio = new Audio();
      const timer = setTimeout(() => resolve(null), DURATION_TIMEOUT_MS);
      audio.preload = 'metadata';
      audio.onloadedmetadata = () => {
        clearTimeout(timer);
        resolve(Number.isFinite(audio.duration) ? Math.round(audio.duration * 1000) : null);
      };
      audio.onerror = () => {
        clearTimeout(timer);
        resolve(null);
      };
      audio.src = url;
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** An audio file decoded (at DECODE_SAMPLE_RATE where an OfflineAudioContext can), or null where there is no Web Audio, it is not decodable here, or it takes too long. */
async function decodeAudio(file: Blob): Promise<AudioBuffer | null> {
  const offline = typeof OfflineAudioContext === 'function';
  if (!offline && typeof AudioContext !== 'function') return null;
  let context: OfflineAudioContext | AudioContext | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const bytes = await file.arrayBuffer();
    context = offline ? new OfflineAudioContext(1, 1, DECODE_SAMPLE_RATE) : new AudioContext();
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), DECODE_TIMEOUT_MS);
    });
    return await Promise.race([context.decodeAudioData(bytes), timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    // An OfflineAudioContext needs no closing; a live one holds audio resources until closed.
    if (context && 'close' in context) void context.close().catch(() => undefined);
  }
}

/**
 * F1, F2: a picked audio file's length and waveform, as a voice note has
 * them, so its bubble looks the same. Bounded (MAX_DECODE_BYTES,
 * MAX_DECODE_DURATION_MS): past those, or where decoding fails, the file
 * goes with its length alone (or neither).
 */
export async function audioDetails(file: Blob): Promise<Pick<NewFile, 'duration_ms' | 'waveform'>> {
  const durationMs = await audioDuration(file);
  const decoded = file.size <= MAX_DECODE_BYTES && (durationMs === null || durationMs <= MAX_DECODE_DURATION_MS) ? await decodeAudio(file) : null;
  if (!decoded || decoded.length === 0) return { duration_ms: durationMs, waveform: null };
  const channels = Array.from({ length: decoded.numberOfChannels }, (_, channel) => decoded.getChannelData(channel));
  return { duration_ms: durationMs ?? Math.round(decoded.duration * 1000), waveform: toBase64(waveformOfChannels(channels, decoded.sampleRate)) };
}

/** F2: picked, pasted or dropped files as the outbox takes them, measured here in the page (the worker has no <img>). */
export async function toNewFiles(files: Iterable<File>): Promise<NewFile[]> {
  const taken = [...files].filter((file) => kindOf(file) !== null);
  return Promise.all(
    taken.map(async (file): Promise<NewFile> => {
      const kind = kindOf(file)!;
      const base = { blob: file, name: file.name || (kind === 'image' ? 'image' : 'audio'), mime: file.type, kind };
      if (kind === 'image') return { ...base, ...((await imageSize(file)) ?? {}) };
      return { ...base, ...(await audioDetails(file)) };
    }),
  );
}

