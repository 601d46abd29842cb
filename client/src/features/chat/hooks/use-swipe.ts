import { useRef, useState, type PointerEvent } from 'react';

/** A finger must travel this far (px) along one axis for a swipe to count; shorter drags spring back. */
export const SWIPE_THRESHOLD_PX = 60;
/** Movement (px) before a drag commits to an axis: small wobbles neither move the image nor decide the direction. */
const AXIS_LOCK_PX = 10;

export type SwipeOutcome = 'next' | 'previous' | 'close';

/** What a drag of (dx, dy) px along `axis` means when the finger lifts: left → next, right → previous, down → close. */
export function swipeOutcome(axis: 'x' | 'y' | null, dx: number, dy: number): SwipeOutcome | null {
  if (axis === 'x' && Math.abs(dx) > SWIPE_THRESHOLD_PX) return dx < 0 ? 'next' : 'previous';
  if (axis === 'y' && dy > SWIPE_THRESHOLD_PX) return 'close';
  return null;
}

interface Drag {
  pointerId: number;
  x: number;
  y: number;
  axis: 'x' | 'y' | null;
}

/**
 * F6: swipes on a touch screen (pointer events; a mouse drags nothing): the
 * element follows the finger along the axis it first moved on (downwards
 * only on the vertical one) and, when the finger lifts, `onSwipe` is told
 * the outcome, or the element springs back. A second finger (a pinch) calls
 * the drag off.
 */
export function useSwipe(onSwipe: (outcome: SwipeOutcome) => void) {
  const drag = useRef<Drag | null>(null);
  const [offset, setOffset] = useState({ x: 0, y: 0 });
  // Only the spring back is animated: a swipe that moves on shows the new image in place.
  const [springing, setSpringing] = useState(false);

  const end = (outcome: SwipeOutcome | null) => {
    drag.current = null;
    setSpringing(outcome === null);
    setOffset({ x: 0, y: 0 });
    if (outcome) onSwipe(outcome);
  };

  const handlers = {
    onPointerDown(event: PointerEvent<HTMLElement>) {
      if (event.pointerType === 'mouse') return;
      if (drag.current) {
        end(null);
        return;
      }
      drag.current = { pointerId: event.pointerId, x: event.clientX, y: event.clientY, axis: null };
      setSpringing(false);
      event.currentTarget.setPointerCapture?.(event.pointerId);
    },
    onPointerMove(event: PointerEvent<HTMLElement>) {
      const current = drag.current;
      if (!current || current.pointerId !== event.pointerId) return;
      const dx = event.clientX - current.x;
      const dy = event.clientY - current.y;
      if (!current.axis && Math.max(Math.abs(dx), Math.abs(dy)) > AXIS_LOCK_PX) current.axis = Math.abs(dx) > Math.abs(dy) ? 'x' : 'y';
      if (current.axis) setOffset(current.axis === 'x' ? { x: dx, y: 0 } : { x: 0, y: Math.max(0, dy) });
    },
    onPointerUp(event: PointerEvent<HTMLElement>) {
      const current = drag.current;
      if (!current || current.pointerId !== event.pointerId) return;
      end(swipeOutcome(current.axis, event.clientX - current.x, event.clientY - current.y));
    },
    onPointerCancel(event: PointerEvent<HTMLElement>) {
      if (drag.current?.pointerId === event.pointerId) end(null);
    },
  };

  return { handlers, offset, springing };
}
