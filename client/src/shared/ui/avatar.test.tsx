import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Avatar, initials, personColour } from './avatar';

describe('Avatar', () => {
  it('[A5] draws the initials of the first two words of the display name', () => {
    expect(initials('Quiet Otter')).toBe('QO');
    expect(initials('  ana  ')).toBe('A');
    expect(initials('Ana Maria Park')).toBe('AM');
    expect(initials('Émile Zola')).toBe('ÉZ');
    expect(initials('')).toBe('?');
  });

  it('[A5] uses the person’s colour from the server’s palette, and a neutral one for an unknown colour', () => {
    const { container } = render(<Avatar name="Quiet Otter" color="violet" />);
    const avatar = container.firstElementChild!;
    expect(avatar).toHaveClass('bg-violet-700');
    expect(avatar).toHaveAttribute('aria-hidden', 'true');
    expect(personColour('chartreuse')).toEqual(personColour(undefined));
    expect(personColour('chartreuse').avatar).toBe('bg-slate-600');
  });
});
