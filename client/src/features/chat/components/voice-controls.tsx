import { useRef } from 'react';
import type { VoiceRecorderState } from '../hooks/use-voice-recorder';

/** A finger that slides further than this off the mic button cancels the recording. */
const SLIDE_CANCEL_PX = 60;

function MicIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
      <rect x="9" y="2" width="6" height="12" rx="3" />
      <path d="M5 10a7 7 0 0014 0M12 17v5" />
    </svg>
  );
}

/**
 * F1: the mic button. With a mouse or the keyboard a click starts and a
 * second click stops and sends; on a touch screen it records while held,
 * sends on release, and a slide away cancels.
 */
export function MicButton({ voice }: { voice: VoiceRecorderState }) {
  const touch = useRef<{ x: number; y: number } | null>(null);
  return (
    <button
      type="button"
      aria-label={voice.recording ? 'Stop recording and send' : 'Record a voice note'}
      aria-pressed={voice.recording}
      onMouseDown={(event) => event.preventDefault()}
      onPointerDown={(event) => {
        if (event.pointerType !== 'touch') return;
        touch.current = { x: event.clientX, y: event.clientY };
        event.currentTarget.setPointerCapture?.(event.pointerId);
        voice.start();
      }}
      onPointerMove={(event) => {
        const from = touch.current;
        if (from && Math.hypot(event.clientX - from.x, event.clientY - from.y) > SLIDE_CANCEL_PX) {
          touch.current = null;
          voice.cancel();
        }
      }}
      onPointerUp={(event) => {
        if (event.pointerType !== 'touch' || !touch.current) return;
        touch.current = null;
        voice.stop();
      }}
      onPointerCancel={() => {
        touch.current = null;
        voice.cancel();
      }}
      onClick={(event) => {
        // Touch is handled by the hold above (its click comes after the release).
        if ((event.nativeEvent as PointerEvent).pointerType === 'touch') return;
        if (voice.recording) voice.stop();
        else voice.start();
      }}
      className={`grid size-11 shrink-0 place-items-center rounded-full transition focus-visible:outline-2 focus-visible:outline-indigo-500 ${
        voice.recording ? 'bg-rose-600 text-white hover:bg-rose-700' : 'text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-white/10'
      }`}
    >
      <MicIcon className="size-5" />
    </button>
  );
}
