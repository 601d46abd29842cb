/**
 * F6: a message's images, one at a time, over the page. Loaded lazily (it
 * brings Headless UI's Dialog): Esc and a click outside close it, the arrow
 * keys and the Previous / Next buttons move between the message's images;
 * on a touch screen a swipe left or right does, and a swipe down closes it.
 */
import { Dialog, DialogBackdrop, DialogPanel, DialogTitle } from '@headlessui/react';
import type { KeyboardEvent } from 'react';
import type { AttachmentView } from '../../../shared/sync/timeline';
import { CloseIcon } from '../../../shared/ui/icons';
import { useAttachmentUrl } from '../hooks/use-attachment-url';
import { useSwipe } from '../hooks/use-swipe';

export interface AttachmentLightboxProps {
  images: AttachmentView[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}

function FullImage({ view }: { view: AttachmentView }) {
  const src = useAttachmentUrl(view, 'full');
  return src ? <img src={src} alt="" className="max-h-[85dvh] max-w-[92vw] rounded-lg object-contain" /> : <p className="text-white">Loading…</p>;
}

/** Pulled down this far (px), the backdrop has faded out entirely, as phone galleries show the way to closing. */
const FADE_DISTANCE_PX = 400;

export default function AttachmentLightbox({ images, index, onIndex, onClose }: AttachmentLightboxProps) {
  const view = images[index];
  const move = (step: number) => onIndex((index + step + images.length) % images.length);
  const onKeyDown = (event: KeyboardEvent) => {
    if (images.length < 2) return;
    if (event.key === 'ArrowRight') move(1);
    else if (event.key === 'ArrowLeft') move(-1);
  };
  const swipe = useSwipe((outcome) => {
    if (outcome === 'close') onClose();
    else if (images.length > 1) move(outcome === 'next' ? 1 : -1);
  });
  return (
    <Dialog open onClose={onClose} className="fixed inset-0 z-50">
      <DialogBackdrop className="fixed inset-0 bg-slate-950/85" style={{ opacity: 1 - Math.min(1, swipe.offset.y / FADE_DISTANCE_PX) }} />
      <DialogPanel className="fixed inset-0 flex items-center justify-center" onKeyDown={onKeyDown}>
        <DialogTitle className="sr-only">
          Image {index + 1} of {images.length}
        </DialogTitle>
        {/* The swipe area is behind the buttons, not around them: a captured pointer would take their clicks. pinch-zoom: one finger is ours, two still zoom. */}
        <div
          {...swipe.handlers}
          data-swipe-area=""
          className={`absolute inset-0 flex items-center justify-center ${swipe.springing ? 'transition-transform duration-200 ease-out' : ''}`}
          style={{ transform: `translate3d(${swipe.offset.x}px, ${swipe.offset.y}px, 0)`, touchAction: 'pinch-zoom' }}
        >
          {view && <FullImage key={view.key} view={view} />}
        </div>
        {images.length > 1 && (
          // The title says it to screen readers.
          <p aria-hidden="true" className="absolute top-4 left-1/2 -translate-x-1/2 rounded-full bg-slate-950/60 px-3 py-1 text-sm text-white tabular-nums">
            {index + 1} / {images.length}
          </p>
        )}
        <button type="button" onClick={onClose} aria-label="Close" className="absolute top-3 right-3 grid size-11 place-items-center rounded-full bg-white/10 text-white hover:bg-white/20">
          <CloseIcon className="size-5" />
        </button>
        {images.length > 1 && (
          <>
            <button type="button" onClick={() => move(-1)} aria-label="Previous image" className="absolute left-3 grid size-11 place-items-center rounded-full bg-white/10 text-2xl text-white hover:bg-white/20">
              ‹
            </button>
            <button type="button" onClick={() => move(1)} aria-label="Next image" className="absolute right-3 grid size-11 place-items-center rounded-full bg-white/10 text-2xl text-white hover:bg-white/20">
              ›
            </button>
          </>
        )}
      </DialogPanel>
    </Dialog>
  );
}
