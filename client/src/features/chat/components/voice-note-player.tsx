import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { levelsOf } from '../voice/waveform';

const SPEEDS = [1, 1.5, 2] as const;
/** How far an arrow key moves the play position (s); the slider's own step is finer, for dragging. */
export const SEEK_STEP_S = 5;

function clock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/**
 * F1, F6: a voice note: play/pause, its waveform (the played part filled),
 * a slider over it to scrub (a click or drag on the waveform; the arrow keys
 * move SEEK_STEP_S, Home and End to either end), the speed (1×, 1.5×, 2×)
 * and the time. `src` is null while the file cannot be had (offline, not
 * cached): the waveform and duration still show.
 */
export function VoiceNotePlayer({ src, waveform, durationMs, own }: { src: string | null; waveform: string | null; durationMs: number | null; own: boolean }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(1);
  const [loadedDuration, setLoadedDuration] = useState<number | null>(null);
  // MediaRecorder's WebM often says Infinity: the recorded length is the truth then.
  const duration = loadedDuration ?? (durationMs ?? 0) / 1000;
  const levels = levelsOf(waveform);
  const played = duration > 0 ? position / duration : 0;
  const tint = own ? 'bg-white' : 'bg-indigo-600 dark:bg-indigo-300';

  // Loading a file resets an element's rate to its default: both are set, and again when the file comes.
  useEffect(() => {
    const element = audio.current;
    if (!element) return;
    element.defaultPlaybackRate = speed;
    element.playbackRate = speed;
  }, [speed, src]);

  const seek = (to: number) => {
    const clamped = Math.min(Math.max(0, to), duration);
    setPosition(clamped);
    if (audio.current) audio.current.currentTime = clamped;
  };
  const onSliderKey = (event: KeyboardEvent<HTMLInputElement>) => {
    const step = { ArrowRight: SEEK_STEP_S, ArrowUp: SEEK_STEP_S, ArrowLeft: -SEEK_STEP_S, ArrowDown: -SEEK_STEP_S }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    seek(position + step);
  };

  const toggle = () => {
    const element = audio.current;
    if (!element) return;
    if (element.paused) void element.play().catch(() => setPlaying(false));
    else element.pause();
  };

  return (
    <div className="flex w-64 max-w-full items-center gap-2" data-attachment="audio">
      {src && (
        <audio
          ref={audio}
          src={src}
          preload="metadata"
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => {
            // Back to the start, showing the whole length, ready to play again.
            setPlaying(false);
            setPosition(0);
          }}
          onTimeUpdate={(event) => setPosition(event.currentTarget.currentTime)}
          onLoadedMetadata={(event) => {
            const length = event.currentTarget.duration;
            if (Number.isFinite(length)) setLoadedDuration(length);
          }}
        />
      )}
      <button
        type="button"
        onClick={toggle}
        disabled={!src}
        aria-label={playing ? 'Pause voice note' : 'Play voice note'}
        className={`grid size-9 shrink-0 place-items-center rounded-full ${own ? 'bg-white/20' : 'bg-slate-200 dark:bg-white/10'} disabled:opacity-50`}
      >
        {playing ? '❚❚' : '▶'}
      </button>
      {/* The slider is invisible over the waveform: the ring shows its keyboard focus here. */}
      <div className="relative h-8 min-w-0 flex-1 rounded has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-current">
        <div className="absolute inset-0 flex items-center gap-px" aria-hidden="true">
          {(levels.length > 0 ? levels : Array.from({ length: 32 }, () => 0.2)).map((level, i, all) => (
            <span key={i} className={`flex-1 rounded-full ${tint} ${i / all.length < played ? 'opacity-100' : 'opacity-40'}`} style={{ height: `${Math.max(12, level * 100)}%` }} />
          ))}
        </div>
        <input
          type="range"
          aria-label="Seek"
          min={0}
          max={duration || 0}
          step={0.1}
          value={Math.min(position, duration || 0)}
          aria-valuetext={`${clock(position)} of ${clock(duration)}`}
          disabled={!src || !duration}
          onChange={(event) => seek(Number(event.target.value))}
          onKeyDown={onSliderKey}
          className="absolute inset-0 size-full cursor-pointer opacity-0"
        />
      </div>
      <button
        type="button"
        aria-label={`Playback speed ${speed}×`}
        onClick={() => setSpeed(SPEEDS[(SPEEDS.indexOf(speed) + 1) % SPEEDS.length])}
        className="shrink-0 rounded-full px-1.5 text-xs font-semibold tabular-nums"
      >
        {speed}×
      </button>
      <span className="shrink-0 text-xs tabular-nums opacity-80">{clock(playing || position > 0 ? position : duration)}</span>
    </div>
  );
}
