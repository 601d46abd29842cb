import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import type { AttachmentView } from '../../../shared/sync/timeline';
import { reduceLevels, toBase64 } from '../voice/waveform';
import { Composer } from './composer';
import { MessageBubble } from './message-bubble';
import { makeItem } from './test-items';

const recording = { stop: vi.fn(), cancel: vi.fn() };
vi.mock('../voice/voice-recorder', () => ({ startRecording: vi.fn(async () => recording) }));

const note = { blob: new Blob(['ogg']), mime: 'audio/webm', durationMs: 3200, waveform: toBase64(reduceLevels([0.1, 0.5, 1])) };

function WithVoice({ onVoiceNote }: { onVoiceNote: (n: typeof note) => void }) {
  const [draft, setDraft] = useState('');
  return <Composer onSend={vi.fn()} draft={draft} onDraftChange={setDraft} onVoiceNote={onVoiceNote} />;
}

describe('voice notes', () => {
  beforeEach(() => {
    vi.stubGlobal('MediaRecorder', class {});
    Object.defineProperty(navigator, 'mediaDevices', { value: {}, configurable: true });
    recording.stop.mockReset().mockResolvedValue(note);
    recording.cancel.mockReset();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
  });

  it('[F1] a click on the mic starts recording with a live timer; a second click sends the note', async () => {
    const onVoiceNote = vi.fn();
    const user = userEvent.setup();
    render(<WithVoice onVoiceNote={onVoiceNote} />);
    await user.click(screen.getByRole('button', { name: 'Record a voice note' }));
    expect(await screen.findByLabelText('Recording time')).toHaveTextContent('0:00');
    await user.click(screen.getByRole('button', { name: 'Stop recording and send' }));
    await waitFor(() => expect(onVoiceNote).toHaveBeenCalledWith(note));
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeInTheDocument();
  });

  it('[F1] Esc cancels a recording: nothing is sent', async () => {
    const onVoiceNote = vi.fn();
    const user = userEvent.setup();
    render(<WithVoice onVoiceNote={onVoiceNote} />);
    await user.click(screen.getByRole('button', { name: 'Record a voice note' }));
    await screen.findByLabelText('Recording time');
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByLabelText('Recording time')).toBeNull());
    expect(recording.cancel).toHaveBeenCalled();
    expect(onVoiceNote).not.toHaveBeenCalled();
  });

  it('[F1] without MediaRecorder there is no mic button', () => {
    vi.unstubAllGlobals();
    render(<WithVoice onVoiceNote={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Record a voice note' })).toBeNull();
  });

  it('[F1][F6] a voice note in a bubble shows its waveform, duration, play and speed', async () => {
    const audio: AttachmentView = { key: 'a1', kind: 'audio', mime: 'audio/webm', size: 3, width: null, height: null, durationMs: 3200, thumbhash: null, waveform: note.waveform, mediaId: 'a1', blob: null, uploaded: 3, uploading: false };
    const user = userEvent.setup();
    render(<MessageBubble item={makeItem({ content: '', attachments: [audio] })} onRetry={vi.fn()} onDelete={vi.fn()} />);
    expect(await screen.findByRole('button', { name: 'Play voice note' })).toBeInTheDocument();
    expect(screen.getByText('0:03')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Playback speed 1×' }));
    expect(screen.getByRole('button', { name: 'Playback speed 1.5×' })).toBeInTheDocument();
    expect(screen.getByRole('slider', { name: 'Seek' })).toBeInTheDocument();
  });
});
