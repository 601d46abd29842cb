import { lazy, Suspense, useState } from 'react';
import type { AttachmentView } from '../../../shared/sync/timeline';
import { CloseIcon } from '../../../shared/ui/icons';
import { LoadBoundary } from '../../../shared/ui/load-boundary';
import { useAttachmentUrl, useThumbhash } from '../hooks/use-attachment-url';
import { VoiceNotePlayer } from './voice-note-player';

// The lightbox (Headless UI's Dialog) loads when an image is first opened.
const AttachmentLightbox = lazy(() => import('./attachment-lightbox'));

/** The widest an image tile is drawn (CSS px); its height follows its aspect ratio. */
const TILE_MAX_WIDTH = 280;

export interface MessageAttachmentsProps {
  attachments: AttachmentView[];
  own: boolean;
  /** F2: Cancel on a file still uploading: the message is dropped (the page deletes its outbox row and files). */
  onCancel?: () => void;
}

/** Bytes as "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** F2: how far a pending upload has got, as a ring (and its number for screen readers). */
function ProgressRing({ uploaded, size }: { uploaded: number; size: number }) {
  const share = size > 0 ? Math.min(1, uploaded / size) : 0;
  const circumference = 2 * Math.PI * 16;
  return (
    <svg viewBox="0 0 40 40" className="size-10 -rotate-90" role="progressbar" aria-label="Uploading" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
      <circle cx="20" cy="20" r="16" fill="none" strokeWidth="4" className="stroke-white/30" />
      <circle cx="20" cy="20" r="16" fill="none" strokeWidth="4" strokeLinecap="round" className="stroke-white" strokeDasharray={circumference} strokeDashoffset={circumference * (1 - share)} />
    </svg>
  );
}

/** F6: an image at its aspect ratio, its ThumbHash (or a neutral tint) until it has loaded. */
function ImageTile({ view, onOpen, onCancel }: { view: AttachmentView; onOpen: () => void; onCancel?: () => void }) {
  const src = useAttachmentUrl(view, view.mediaId ? 'thumb' : 'full');
  const placeholder = useThumbhash(view.thumbhash);
  const [loaded, setLoaded] = useState(false);
  const ratio = view.width && view.height ? `${view.width} / ${view.height}` : '4 / 3';
  const width = view.width ? Math.min(TILE_MAX_WIDTH, view.width) : TILE_MAX_WIDTH;
  return (
    <div className="relative overflow-hidden rounded-xl bg-slate-200 dark:bg-slate-700" style={{ aspectRatio: ratio, width, maxWidth: '100%' }} data-attachment="image" data-loaded={loaded || undefined}>
      {placeholder && !loaded && <img src={placeholder} alt="" aria-hidden="true" className="absolute inset-0 size-full object-cover" data-placeholder="" />}
      <button type="button" onClick={onOpen} aria-label="Open image" className="absolute inset-0 size-full focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500">
        {src && <img src={src} alt="" onLoad={() => setLoaded(true)} className={`size-full object-cover transition-opacity ${loaded ? 'opacity-100' : 'opacity-0'}`} />}
      </button>
      {view.uploading && (
        <div className="absolute inset-0 grid place-items-center bg-slate-950/35">
          <ProgressRing uploaded={view.uploaded} size={view.size} />
          {onCancel && (
            <button type="button" onClick={onCancel} aria-label="Cancel upload" className="absolute top-1.5 right-1.5 grid size-8 place-items-center rounded-full bg-slate-950/60 text-white hover:bg-slate-950/80">
              <CloseIcon className="size-4" />
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** A voice note or audio file: the player, and while uploading its progress and Cancel. */
function AudioTile({ view, own, onCancel }: { view: AttachmentView; own: boolean; onCancel?: () => void }) {
  const src = useAttachmentUrl(view);
  return (
    <div className="flex items-center gap-2">
      <VoiceNotePlayer src={src} waveform={view.waveform} durationMs={view.durationMs} own={own} />
      {view.uploading && (
        <>
          <span className="text-xs tabular-nums" role="progressbar" aria-label="Uploading" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((view.uploaded / Math.max(1, view.size)) * 100)}>
            {Math.round((view.uploaded / Math.max(1, view.size)) * 100)}%
          </span>
          {onCancel && (
            <button type="button" onClick={onCancel} aria-label="Cancel upload" className="grid size-8 place-items-center rounded-full hover:bg-black/10">
              <CloseIcon className="size-4" />
            </button>
          )}
        </>
      )}
    </div>
  );
}

/**
 * F6: a message's files above its caption: images at their aspect ratio
 * (several in a grid), opened in a lightbox; audio with a player. Pending
 * ones show their local bytes at once, with progress and Cancel (F2).
 */
export default function MessageAttachments({ attachments, own, onCancel }: MessageAttachmentsProps) {
  const [open, setOpen] = useState<number | null>(null);
  if (attachments.length === 0) return null;
  const images = attachments.filter((view) => view.kind === 'image');
  return (
    <div className={`mb-1.5 flex flex-col gap-1.5 ${own ? 'items-end' : 'items-start'}`}>
      {images.length > 0 && (
        <div className={images.length > 1 ? 'grid grid-cols-2 gap-1' : ''}>
          {images.map((view, index) => (
            <ImageTile key={view.key} view={view} onOpen={() => setOpen(index)} onCancel={onCancel} />
          ))}
        </div>
      )}
      {attachments
        .filter((view) => view.kind === 'audio')
        .map((view) => (
          <AudioTile key={view.key} view={view} own={own} onCancel={onCancel} />
        ))}
      {open !== null && (
        <LoadBoundary onError={(error) => console.warn('whisper: could not load the lightbox', error)}>
          <Suspense fallback={null}>
            <AttachmentLightbox images={images} index={open} onIndex={setOpen} onClose={() => setOpen(null)} />
          </Suspense>
        </LoadBoundary>
      )}
    </div>
  );
}
