import { useRef } from 'react';
import { CloseIcon } from '../../../shared/ui/icons';
import type { VoiceRecorderState } from '../hooks/use-voice-recorder';

/** A finger that slides further than this off the mic button cancels the recording. */
const SLIDE_CANCEL_PX = 60;

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

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

/** F1: while recording, in place of the text box: the live timer and Cancel (Esc too). */
export function RecordingBar({ voice }: { voice: VoiceRecorderState }) {
  return (
    <div className="flex min-h-11 flex-1 items-center gap-3 rounded-3xl bg-rose-50 px-4 text-sm text-rose-800 dark:bg-rose-500/15 dark:text-rose-200" role="status">
      <span className="size-2.5 animate-pulse rounded-full bg-rose-600" aria-hidden="true" />
      <span className="tabular-nums" aria-label="Recording time">
        {formatElapsed(voice.elapsedMs)}
      </span>
      <span className="flex-1 truncate">Recording… Esc or slide away to cancel</span>
      <button type="button" onClick={voice.cancel} aria-label="Cancel recording" className="grid size-8 place-items-center rounded-full hover:bg-rose-100 dark:hover:bg-white/10">
        <CloseIcon className="size-4" />
      </button>
    </div>
  );
}
