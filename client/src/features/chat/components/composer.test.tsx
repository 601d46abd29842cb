import { MAX_CONTENT_LENGTH } from '@whisper/protocol';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { Composer } from './composer';

/** The page keeps the draft; this stands in for it. */
function Harness({
  onSend,
  initial = '',
  disabledReason,
}: {
  onSend: (content: string) => void;
  initial?: string;
  disabledReason?: string;
}) {
  const [draft, setDraft] = useState(initial);
  return <Composer onSend={onSend} draft={draft} onDraftChange={setDraft} disabledReason={disabledReason} />;
}

function setup(props: { initial?: string; disabledReason?: string } = {}) {
  const onSend = vi.fn();
  const user = userEvent.setup();
  render(<Harness onSend={onSend} {...props} />);
  return {
    onSend,
    user,
    textbox: screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement,
    sendButton: screen.getByRole('button', { name: 'Send' }),
  };
}

describe('Composer', () => {
  it('[C9] is a textbox named "Message" with a button named "Send"', () => {
    const { textbox, sendButton } = setup();
    expect(textbox.tagName).toBe('TEXTAREA');
    expect(sendButton).toHaveAttribute('type', 'submit');
  });

  it('Enter sends the text, clears the box and keeps focus in it', async () => {
    const { onSend, user, textbox } = setup();
    await user.click(textbox);
    await user.keyboard('hello world{Enter}');
    expect(onSend).toHaveBeenCalledTimes(1);
    expect(onSend).toHaveBeenCalledWith('hello world');
    expect(textbox).toHaveValue('');
    expect(textbox).toHaveFocus();
  });

  it('Shift+Enter inserts a newline instead of sending', async () => {
    const { onSend, user, textbox } = setup();
    await user.click(textbox);
    await user.keyboard('line one{Shift>}{Enter}{/Shift}line two');
    expect(onSend).not.toHaveBeenCalled();
    expect(textbox).toHaveValue('line one\nline two');
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('line one\nline two');
  });

  it('Enter during an IME composition does not send', () => {
    const { onSend, textbox } = setup({ initial: 'こんにちは' });
    fireEvent.keyDown(textbox, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(textbox, { key: 'Enter', keyCode: 229 });
    expect(onSend).not.toHaveBeenCalled();
    expect(textbox).toHaveValue('こんにちは');
    // Once the composition is over the same key sends.
    fireEvent.keyDown(textbox, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('こんにちは');
  });

  it('whitespace-only text cannot be sent', async () => {
    const { onSend, user, textbox, sendButton } = setup();
    expect(sendButton).toBeDisabled();
    await user.click(textbox);
    await user.keyboard('   {Shift>}{Enter}{/Shift}  ');
    expect(sendButton).toBeDisabled();
    await user.keyboard('{Enter}');
    await user.click(sendButton);
    expect(onSend).not.toHaveBeenCalled();
    expect(textbox).toHaveValue('   \n  ');
  });

  it('sends what was typed without trimming it', async () => {
    const { onSend, user, textbox, sendButton } = setup();
    await user.click(textbox);
    await user.keyboard('  spaced out  ');
    expect(sendButton).toBeEnabled();
    await user.click(sendButton);
    expect(onSend).toHaveBeenCalledWith('  spaced out  ');
    expect(textbox).toHaveValue('');
    expect(textbox).toHaveFocus();
  });

  it('shows no counter for ordinary messages, and one near the limit', async () => {
    const { user, textbox } = setup({ initial: 'a'.repeat(MAX_CONTENT_LENGTH - 250) });
    expect(screen.queryByText(/characters? left/)).toBeNull();
    await user.click(textbox);
    await user.paste('b'.repeat(100));
    expect(screen.getByText(/150 characters left/)).toBeInTheDocument();
  });

  it('over MAX_CONTENT_LENGTH sending is blocked with a clear message', async () => {
    const { onSend, user, textbox, sendButton } = setup({ initial: 'x'.repeat(MAX_CONTENT_LENGTH) });
    expect(sendButton).toBeEnabled(); // exactly at the limit is fine
    await user.click(textbox);
    await user.keyboard('y');
    expect(sendButton).toBeDisabled();
    expect(textbox).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(/Too long by 1 character\b/)).toBeInTheDocument();
    await user.keyboard('{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    // Nothing the user typed was cut off.
    expect((textbox.value as string).length).toBe(MAX_CONTENT_LENGTH + 1);
    await user.keyboard('{Backspace}{Enter}');
    expect(onSend).toHaveBeenCalledWith('x'.repeat(MAX_CONTENT_LENGTH));
  });

  it('a disabledReason blocks sending and says why, but typing still works', async () => {
    const { onSend, user, textbox, sendButton } = setup({ disabledReason: 'Setting up your session…' });
    expect(screen.getByText('Setting up your session…')).toBeInTheDocument();
    await user.click(textbox);
    await user.keyboard('kept{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(sendButton).toBeDisabled();
    expect(textbox).toHaveValue('kept');
  });

  it('is controlled by draft: it shows the draft the page restores', () => {
    const { textbox, sendButton } = setup({ initial: 'restored draft' });
    expect(textbox).toHaveValue('restored draft');
    expect(sendButton).toBeEnabled();
  });

  it('[L2] says typing on input, and stopped when the box is emptied, the message sent or the box left', async () => {
    const onTypingChange = vi.fn();
    function TypingHarness() {
      const [draft, setDraft] = useState('');
      return <Composer onSend={() => undefined} draft={draft} onDraftChange={setDraft} onTypingChange={onTypingChange} />;
    }
    const user = userEvent.setup();
    render(<TypingHarness />);
    const textbox = screen.getByRole('textbox', { name: 'Message' });
    await user.type(textbox, 'hi');
    expect(onTypingChange.mock.calls).toEqual([[true], [true]]);
    await user.keyboard('{Backspace}{Backspace}');
    expect(onTypingChange.mock.calls.at(-1)).toEqual([false]);
    await user.type(textbox, 'yo{Enter}');
    expect(onTypingChange.mock.calls.at(-1)).toEqual([false]);
    await user.type(textbox, 'x');
    expect(onTypingChange.mock.calls.at(-1)).toEqual([true]);
    await user.tab();
    expect(onTypingChange.mock.calls.at(-1)).toEqual([false]);
  });
});

describe('Composer attachments', () => {
  function setupAttach() {
    const onAttach = vi.fn();
    function WithAttach() {
      const [draft, setDraft] = useState('');
      return <Composer onSend={vi.fn()} draft={draft} onDraftChange={setDraft} onAttach={onAttach} />;
    }
    render(<WithAttach />);
    return { onAttach, user: userEvent.setup() };
  }

  it('[F2] the attach button picks several images or audio files at once', async () => {
    const { onAttach, user } = setupAttach();
    expect(screen.getByRole('button', { name: 'Attach files' })).toBeEnabled();
    const input = screen.getByTestId('attach-input') as HTMLInputElement;
    expect(input).toHaveAttribute('accept', 'image/*,audio/*');
    expect(input.multiple).toBe(true);
    const files = [new File(['a'], 'a.png', { type: 'image/png' }), new File(['b'], 'b.png', { type: 'image/png' })];
    await user.upload(input, files);
    expect(onAttach).toHaveBeenCalledWith(files);
  });

  it('[F2] an image pasted into the box is attached; pasted text is not', async () => {
    const { onAttach } = setupAttach();
    const textbox = screen.getByRole('textbox', { name: 'Message' });
    const image = new File(['x'], 'shot.png', { type: 'image/png' });
    fireEvent.paste(textbox, { clipboardData: { files: [image], getData: () => '' } });
    expect(onAttach).toHaveBeenCalledWith([image]);
    onAttach.mockClear();
    fireEvent.paste(textbox, { clipboardData: { files: [], getData: () => 'words' } });
    expect(onAttach).not.toHaveBeenCalled();
  });

  it('without onAttach there is no attach button', () => {
    render(<Composer onSend={vi.fn()} draft="" onDraftChange={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Attach files' })).toBeNull();
  });
});
