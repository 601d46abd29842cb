import { render } from '@testing-library/react';
import { TypingIndicator } from './typing-indicator';

describe('TypingIndicator', () => {
  it('[L2] is a polite live region, empty while nobody types, naming who types', () => {
    const { rerender, container } = render(<TypingIndicator names={[]} />);
    const region = container.querySelector('[aria-live="polite"]');
    expect(region).toHaveTextContent('');
    rerender(<TypingIndicator names={['Ana']} />);
    expect(region).toHaveTextContent('Ana is typing…');
    rerender(<TypingIndicator names={['Ana', 'Ben', 'Cid']} />);
    expect(region).toHaveTextContent('Several people are typing…');
  });
});
