import { fileTypeFromBuffer } from 'file-type';
import { parseBuffer } from 'music-metadata';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { MAX_WAVEFORM_LEVELS, MediaKind } from '../protocol/index.js';

/** Images larger than this on either side are scaled down (F4); phones' photos fit. */
const MAX_IMAGE_SIDE = 4096;
/** The thumbnail a message list draws first. */
const THUMB_WIDTH = 320;
/** ThumbHash wants a small render; it encodes at most 100×100. */
const THUMBHASH_SIDE = 100;
/** Re-encoding quality: close to the original, far smaller than lossless. */
const JPEG_QUALITY = 85;
const WEBP_QUALITY = 82;
const THUMB_QUALITY = 70;

/** Why an upload was refused, in words for its sender. */
export class UnsupportedMediaError extends Error {}

type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

/** F4: image types served, by their magic-derived mime. */
const IMAGE_FORMATS: Record<string, ImageFormat> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/**
 * F4: audio types served, by the mime file-type reports (parameters
 * dropped), to the mime recorded. A WebM or MP4 container is what browsers'
 * MediaRecorder produces for voice notes; file-type names it video/*, so it
 * counts as audio once the parse below finds no video track in it.
 */
const AUDIO_MIMES: Record<string, string> = {
  'audio/webm': 'audio/webm',
  'video/webm': 'audio/webm',
  'audio/ogg': 'audio/ogg',
  'audio/opus': 'audio/ogg',
  'audio/mpeg': 'audio/mpeg',
  'audio/mp4': 'audio/mp4',
  'audio/x-m4a': 'audio/x-m4a',
  'video/mp4': 'audio/mp4',
  'audio/wav': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/x-wav': 'audio/wav',
};

/** music-metadata's TrackType.video (Matroska numbering). */
const VIDEO_TRACK = 1;

export interface ProcessedMedia {
  kind: MediaKind;
  mime: string;
  /** What is stored and served: images re-encoded, audio as uploaded. */
  bytes: Buffer;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbhash: string | null;
  waveform: string | null;
  /** Images: a WebP THUMB_WIDTH wide. */
  thumb: Buffer | null;
}

export interface UploadHints {
  /** Upload-Metadata `waveform`: base64 levels from the client, kept only when well-formed. */
  waveform?: string | null;
  /** Upload-Metadata `duration_ms`: used only when the file itself says nothing (MediaRecorder's WebM has no duration). */
  durationMs?: number | null;
}

const describe = (mime: string | undefined) => (mime ? `a ${mime} file` : 'a file of unknown type');

/**
 * F1, F4: the type is decided by the bytes alone (never the name or the
 * declared type); anything but the listed images and audio is refused,
 * which keeps out HTML, SVG (scripts), PDF and executables.
 */
export async function processMedia(original: Buffer, hints: UploadHints = {}): Promise<ProcessedMedia> {
  const detected = await fileTypeFromBuffer(original);
  const mime = detected?.mime.split(';')[0].trim();
  const imageFormat = mime ? IMAGE_FORMATS[mime] : undefined;
  if (imageFormat) return processImage(original, mime!, imageFormat);
  const audioMime = mime ? AUDIO_MIMES[mime] : undefined;
  if (audioMime) return processAudio(original, audioMime, hints);
  throw new UnsupportedMediaError(
    `${describe(mime)} cannot be shared: only photos (JPEG, PNG, WebP, GIF) and voice notes (WebM, Ogg, MP3, M4A, WAV) are accepted`,
  );
}

/**
 * F4: `.rotate()` applies the EXIF orientation, then re-encoding in the same
 * format keeps only pixels: EXIF (GPS included), XMP, IPTC and PNG text
 * chunks are dropped, and so is anything appended after the image (a
 * polyglot's HTML or ZIP), which the decoder never reads.
 */
async function processImage(original: Buffer, mime: string, format: ImageFormat): Promise<ProcessedMedia> {
  const animated = format === 'gif' || format === 'webp';
  let bytes: Buffer;
  try {
    let pipeline = sharp(original, { animated, failOn: 'error' })
      .rotate()
      .resize({ width: MAX_IMAGE_SIDE, height: MAX_IMAGE_SIDE, fit: 'inside', withoutEnlargement: true });
    if (format === 'jpeg') pipeline = pipeline.jpeg({ quality: JPEG_QUALITY, mozjpeg: true });
    else if (format === 'png') pipeline = pipeline.png();
    else if (format === 'webp') pipeline = pipeline.webp({ quality: WEBP_QUALITY });
    else pipeline = pipeline.gif();
    bytes = await pipeline.toBuffer();
  } catch {
    throw new UnsupportedMediaError(`the ${mime} file could not be read as an image`);
  }
  const meta = await sharp(bytes, { animated }).metadata();
  const width = meta.width;
  // An animation's frames are stacked: one frame's height is what is shown.
  const height = meta.pageHeight ?? meta.height;
  const thumb = await sharp(bytes).resize({ width: THUMB_WIDTH, withoutEnlargement: true }).webp({ quality: THUMB_QUALITY }).toBuffer();
  const small = await sharp(bytes)
    .resize({ width: THUMBHASH_SIDE, height: THUMBHASH_SIDE, fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const thumbhash = Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)).toString('base64');
  return { kind: MediaKind.Image, mime, bytes, width, height, durationMs: null, thumbhash, waveform: null, thumb };
}

/** Audio is served as uploaded: the container carries no location, and re-encoding voice costs more than it saves. */
async function processAudio(original: Buffer, mime: string, hints: UploadHints): Promise<ProcessedMedia> {
  let durationMs: number | null = null;
  try {
    const metadata = await parseBuffer(original, { mimeType: mime, size: original.length }, { duration: true, skipCovers: true });
    if (metadata.format.trackInfo.some((track) => track.type === VIDEO_TRACK || track.video !== undefined)) {
      throw new UnsupportedMediaError('videos cannot be shared yet: only photos and voice notes are accepted');
    }
    const seconds = metadata.format.duration;
    if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) durationMs = Math.round(seconds * 1000);
  } catch (error) {
    if (error instanceof UnsupportedMediaError) throw error;
    throw new UnsupportedMediaError(`the ${mime} file could not be read as audio`);
  }
  durationMs ??= hints.durationMs ?? null;
  return { kind: MediaKind.Audio, mime, bytes: original, width: null, height: null, durationMs, thumbhash: null, waveform: parseWaveform(hints.waveform), thumb: null };
}

/** F3: base64 of 1–MAX_WAVEFORM_LEVELS bytes (each byte a level 0–255), normalised; anything else is dropped. */
export function parseWaveform(value: string | null | undefined): string | null {
  if (!value || value.length > MAX_WAVEFORM_LEVELS * 2 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const levels = Buffer.from(value, 'base64');
  if (levels.length === 0 || levels.length > MAX_WAVEFORM_LEVELS) return null;
  return levels.toString('base64');
}
