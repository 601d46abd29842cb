import type { NewFile } from '../../../shared/sync/outbox-files';

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
      const timer = setTimeout(() => resolve(null), 3000);
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

/** F2: picked, pasted or dropped files as the outbox takes them, measured here in the page (the worker has no <img>). */
export async function toNewFiles(files: Iterable<File>): Promise<NewFile[]> {
  const taken = [...files].filter((file) => kindOf(file) !== null);
  return Promise.all(
    taken.map(async (file): Promise<NewFile> => {
      const kind = kindOf(file)!;
      const base = { blob: file, name: file.name || (kind === 'image' ? 'image' : 'audio'), mime: file.type, kind };
      if (kind === 'image') return { ...base, ...((await imageSize(file)) ?? {}) };
      return { ...base, duration_ms: await audioDuration(file) };
    }),
  );
}

