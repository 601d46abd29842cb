import { useCallback, useEffect, useRef, useState } from 'react';
import type { LevelSource, Recording, VoiceNote } from '../voice/voice-recorder';

export interface VoiceRecorderState {
  /** Whether this browser can record at all (MediaRecorder and a microphone API). */
  supported: boolean;
  recording: boolean;
  /** ms recorded so far, for the live timer. */
  elapsedMs: number;
  /** The microphone's signal while recording, for the level meter; null otherwise. */
  levels: LevelSource | null;
  /** Why the last start failed (microphone refused, none present). */
  error: string | null;
  start(): void;
  /** Ends the recording and sends the note. */
  stop(): void;
  /** Ends it and drops it. */
  cancel(): void;
}

/**
 * F1: the composer's voice recording: the recorder module is loaded on the
 * first start (a lazy chunk); Esc cancels; a timer ticks while recording.
 */
export function useVoiceRecorder(onNote: ((note: VoiceNote) => void) | undefined): VoiceRecorderState {
  const supported = onNote !== undefined && typeof MediaRecorder !== 'undefined' && typeof navigator !== 'undefined' && navigator.mediaDevices !== undefined;
  const recording = useRef<Recording | null>(null);
  const starting = useRef(false);
  // When the recording in progress began, and its signal (null when none is).
  const [active, setActive] = useState<{ at: number; levels: LevelSource } | null>(null);
  const startedAt = active?.at ?? null;
  const [now, setNow] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const cancel = useCallback(() => {
    recording.current?.cancel();
    recording.current = null;
    setActive(null);
  }, []);

  const start = useCallback(() => {
    if (!supported || starting.current || recording.current) return;
    starting.current = true;
    setError(null);
    import('../voice/voice-recorder')
      .then(({ startRecording }) => startRecording())
      .then((started) => {
        recording.current = started;
        const at = Date.now();
        setActive({ at, levels: started.levels });
        setNow(at);
      })
      .catch(() => setError('The microphone is not available.'))
      .finally(() => {
        starting.current = false;
      });
  }, [supported]);

  const stop = useCallback(() => {
    const current = recording.current;
    if (!current) return;
    recording.current = null;
    setActive(null);
    current
      .stop()
      .then((note) => onNote?.(note))
      .catch(() => setError('The recording failed.'));
  }, [onNote]);

  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      clearInterval(timer);
      window.removeEventListener('keydown', onKey);
    };
  }, [startedAt, cancel]);

  // Leaving the room (unmount) drops a recording in progress.
  useEffect(() => () => recording.current?.cancel(), []);

  return { supported, recording: startedAt !== null, levels: active?.levels ?? null, elapsedMs: startedAt === null ? 0 : Math.max(0, now - startedAt), error, start, stop, cancel };
}
