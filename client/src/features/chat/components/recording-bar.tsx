/**
 * F1: while recording, in place of the text box: the live timer, a level
 * meter and Cancel (Esc too). Loaded lazily with the first recording: most
 * visits never record.
 */
import { useEffect, useRef } from 'react';
import { CloseIcon } from '../../../shared/ui/icons';
import type { VoiceRecorderState } from '../hooks/use-voice-recorder';
import type { LevelSource } from '../voice/voice-recorder';
import { rms } from '../voice/waveform';

/** How much recent sound the meter shows (ms), newest at the right. */
export const METER_WINDOW_MS = 2000;
/** Bars across the meter; each holds the loudest frame of its METER_WINDOW_MS / METER_BARS. */
export const METER_BARS = 20;
/** The lowest a bar is drawn (% of the meter's height), so silence still shows a line. */
const METER_FLOOR_PERCENT = 10;

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A loudness (RMS, 0–1) as a bar's share of the meter: speech sits around 0.05–0.3 RMS, so the square root spreads it over the height. */
export function meterLevel(loudness: number): number {
  return Math.min(1, Math.sqrt(loudness * 2));
}

/**
 * The last METER_WINDOW_MS of the microphone's loudness, read once per
 * animation frame. The bars are written straight to the DOM: a React render
 * per frame would be wasted work. Mounted only while recording, so nothing
 * runs otherwise; the frame loop stops on unmount.
 */
export function LevelMeter({ source }: { source: LevelSource }) {
  const bars = useRef<(HTMLSpanElement | null)[]>([]);
  useEffect(() => {
    const buffer = new Float32Array(source.fftSize);
    const history = new Array<number>(METER_BARS).fill(0);
    const slotMs = METER_WINDOW_MS / METER_BARS;
    let slotStart: number | null = null;
    let frame = 0;
    const draw = (now: number) => {
      source.getFloatTimeDomainData(buffer);
      const level = meterLevel(rms(buffer));
      slotStart ??= now;
      // A new slot for each slotMs gone by (several after a stalled tab): the meter moves left.
      while (now - slotStart >= slotMs) {
        history.shift();
        history.push(0);
        slotStart += slotMs;
      }
      history[METER_BARS - 1] = Math.max(history[METER_BARS - 1], level);
      history.forEach((value, i) => {
        const bar = bars.current[i];
        if (bar) bar.style.height = `${Math.max(METER_FLOOR_PERCENT, value * 100)}%`;
      });
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [source]);
  // aria-hidden: the timer is what the status says; the meter is for the eye.
  return (
    <span className="flex h-6 w-20 shrink-0 items-center gap-px" aria-hidden="true" data-level-meter="">
      {Array.from({ length: METER_BARS }, (_, i) => (
        <span
          key={i}
          ref={(element) => {
            bars.current[i] = element;
          }}
          className="flex-1 rounded-full bg-rose-600 dark:bg-rose-300"
          style={{ height: `${METER_FLOOR_PERCENT}%` }}
        />
      ))}
    </span>
  );
}

export default function RecordingBar({ voice }: { voice: VoiceRecorderState }) {
  return (
    <div className="flex min-h-11 flex-1 items-center gap-3 rounded-3xl bg-rose-50 px-4 text-sm text-rose-800 dark:bg-rose-500/15 dark:text-rose-200" role="status">
      <span className="size-2.5 animate-pulse rounded-full bg-rose-600" aria-hidden="true" />
      <span className="tabular-nums" aria-label="Recording time">
        {formatElapsed(voice.elapsedMs)}
      </span>
      {voice.levels && <LevelMeter source={voice.levels} />}
      <span className="flex-1 truncate">Recording… Esc or slide away to cancel</span>
      <button type="button" onClick={voice.cancel} aria-label="Cancel recording" className="grid size-8 place-items-center rounded-full hover:bg-rose-100 dark:hover:bg-white/10">
        <CloseIcon className="size-4" />
      </button>
    </div>
  );
}
