import { act, fireEvent, render, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import type { AttachmentView } from '../../../shared/sync/timeline';
import { swipeOutcome, SWIPE_THRESHOLD_PX } from '../hooks/use-swipe';
import AttachmentLightbox from './attachment-lightbox';

function image(key: string): AttachmentView {
  return { key, kind: 'image', mime: 'image/jpeg', size: 10, width: 40, height: 30, durationMs: null, thumbhash: null, waveform: null, mediaId: key, blob: null, uploaded: 10, uploading: false };
}

const images = [image('m1'), image('m2'), image('m3')];

function Harness({ onClose, start = 0 }: { onClose: () => void; start?: number }) {
  const [index, setIndex] = useState(start);
  return <AttachmentLightbox images={images} index={index} onIndex={setIndex} onClose={onClose} />;
}

/** Renders and lets the Dialog's own follow-up work (focus, transitions) settle inside act. */
async function open(ui: ReactElement) {
  render(ui);
  await act(async () => {});
}

function swipeArea(): HTMLElement {
  return document.querySelector<HTMLElement>('[data-swipe-area]')!;
}

/** A one-finger drag on the lightbox from (x0, y0) through (x1, y1); `lift` false leaves the finger down. */
function drag(from: [number, number], to: [number, number], { pointerType = 'touch', lift = true } = {}) {
  const area = swipeArea();
  fireEvent.pointerDown(area, { pointerId: 1, pointerType, clientX: from[0], clientY: from[1] });
  fireEvent.pointerMove(area, { pointerId: 1, pointerType, clientX: (from[0] + to[0]) / 2, clientY: (from[1] + to[1]) / 2 });
  fireEvent.pointerMove(area, { pointerId: 1, pointerType, clientX: to[0], clientY: to[1] });
  if (lift) fireEvent.pointerUp(area, { pointerId: 1, pointerType, clientX: to[0], clientY: to[1] });
}

describe('image lightbox', () => {
  it('[F6] several images: a visible counter "2 / 3" and Previous / Next buttons that wrap around', async () => {
    const user = userEvent.setup();
    await open(<Harness onClose={vi.fn()} start={1} />);
    expect(screen.getByText('2 / 3')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Next image' }));
    expect(screen.getByText('3 / 3')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next image' }));
    expect(screen.getByText('1 / 3')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Previous image' }));
    expect(screen.getByText('3 / 3')).toBeInTheDocument();
  });

  it('[F6] one image: no counter, no Previous / Next', async () => {
    await open(<AttachmentLightbox images={[image('m1')]} index={0} onIndex={vi.fn()} onClose={vi.fn()} />);
    expect(screen.queryByText('1 / 1')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Next image' })).toBeNull();
  });

  it('[F6] a swipe left shows the next image, a swipe right the previous one; the image follows the finger meanwhile', async () => {
    await open(<Harness onClose={vi.fn()} />);
    drag([300, 200], [200, 210], { lift: false });
    // Locked to the horizontal axis: the small vertical wobble is not followed.
    expect(swipeArea().style.transform).toBe('translate3d(-100px, 0px, 0)');
    fireEvent.pointerUp(swipeArea(), { pointerId: 1, pointerType: 'touch', clientX: 200, clientY: 210 });
    expect(screen.getByText('2 / 3')).toBeInTheDocument();
    expect(swipeArea().style.transform).toBe('translate3d(0px, 0px, 0)');
    drag([100, 200], [250, 200]);
    expect(screen.getByText('1 / 3')).toBeInTheDocument();
    drag([100, 200], [250, 200]);
    expect(screen.getByText('3 / 3')).toBeInTheDocument();
  });

  it('[F6] a drag shorter than the threshold springs back and changes nothing', async () => {
    const onClose = vi.fn();
    await open(<Harness onClose={onClose} />);
    drag([300, 200], [300 - (SWIPE_THRESHOLD_PX - 10), 200]);
    expect(screen.getByText('1 / 3')).toBeInTheDocument();
    expect(swipeArea().style.transform).toBe('translate3d(0px, 0px, 0)');
    expect(swipeArea().className).toContain('transition-transform');
    drag([300, 200], [300, 200 + SWIPE_THRESHOLD_PX - 10]);
    expect(onClose).not.toHaveBeenCalled();
  });

  it('[F6] a swipe down closes; a swipe up does not', async () => {
    const onClose = vi.fn();
    await open(<Harness onClose={onClose} />);
    drag([200, 300], [210, 100]);
    expect(onClose).not.toHaveBeenCalled();
    drag([200, 100], [205, 300], { lift: false });
    expect(swipeArea().style.transform).toBe('translate3d(0px, 200px, 0)');
    fireEvent.pointerUp(swipeArea(), { pointerId: 1, pointerType: 'touch', clientX: 205, clientY: 300 });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('[F6] a mouse drag, a cancelled touch and a second finger (a pinch) do not swipe', async () => {
    const onClose = vi.fn();
    await open(<Harness onClose={onClose} />);
    drag([300, 200], [100, 200], { pointerType: 'mouse' });
    expect(screen.getByText('1 / 3')).toBeInTheDocument();

    drag([300, 200], [100, 200], { lift: false });
    fireEvent.pointerCancel(swipeArea(), { pointerId: 1, pointerType: 'touch' });
    expect(swipeArea().style.transform).toBe('translate3d(0px, 0px, 0)');
    fireEvent.pointerUp(swipeArea(), { pointerId: 1, pointerType: 'touch', clientX: 100, clientY: 200 });
    expect(screen.getByText('1 / 3')).toBeInTheDocument();

    drag([300, 200], [100, 200], { lift: false });
    fireEvent.pointerDown(swipeArea(), { pointerId: 2, pointerType: 'touch', clientX: 50, clientY: 50 });
    fireEvent.pointerUp(swipeArea(), { pointerId: 1, pointerType: 'touch', clientX: 100, clientY: 200 });
    expect(screen.getByText('1 / 3')).toBeInTheDocument();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('[F6] the outcome of a drag: along the axis it was locked to, past the threshold', async () => {
    expect(swipeOutcome('x', -SWIPE_THRESHOLD_PX - 1, 0)).toBe('next');
    expect(swipeOutcome('x', SWIPE_THRESHOLD_PX + 1, 0)).toBe('previous');
    expect(swipeOutcome('x', SWIPE_THRESHOLD_PX, 0)).toBeNull();
    expect(swipeOutcome('y', 0, SWIPE_THRESHOLD_PX + 1)).toBe('close');
    expect(swipeOutcome('y', 0, -SWIPE_THRESHOLD_PX - 1)).toBeNull();
    expect(swipeOutcome(null, 5, 5)).toBeNull();
  });
});
