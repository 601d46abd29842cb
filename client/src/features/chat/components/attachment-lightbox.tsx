/**
 * F6: a message's images, one at a time, over the page. Loaded lazily (it
 * brings Headless UI's Dialog): Esc and a click outside close it, the arrow
 * keys move between the message's images.
 */
import { Dialog, DialogBackdrop, DialogPanel, DialogTitle } from '@headlessui/react';
import type { KeyboardEvent } from 'react';
import type { AttachmentView } from '../../../shared/sync/timeline';
import { CloseIcon } from '../../../shared/ui/icons';
import { useAttachmentUrl } from '../hooks/use-attachment-url';

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

export default function AttachmentLightbox({ images, index, onIndex, onClose }: AttachmentLightboxProps) {
  const view = images[index];
  const move = (step: number) => onIndex((index + step + images.length) % images.length);
  const onKeyDown = (event: KeyboardEvent) => {
    if (images.length < 2) return;
    if (event.key === 'ArrowRight') move(1);
    else if (event.key === 'ArrowLeft') move(-1);
  };
  return (
    <Dialog open onClose={onClose} className="fixed inset-0 z-50">
      <DialogBackdrop className="fixed inset-0 bg-slate-950/85" />
      <DialogPanel className="fixed inset-0 flex items-center justify-center" onKeyDown={onKeyDown}>
        <DialogTitle className="sr-only">
          Image {index + 1} of {images.length}
        </DialogTitle>
        {view && <FullImage key={view.key} view={view} />}
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
