import { userColour, userHandle, userInitials } from './user-handle';

describe('user handle', () => {
  it('is "Guest" plus the first four characters of the id', () => {
    expect(userHandle('8D83c1e2-0b5f-4c6e-9a51-0f3c2d1e4b7a')).toBe('Guest 8d83');
    expect(userInitials('8d83c1e2-0b5f')).toBe('8d');
    expect(userHandle(null)).toBe('Guest');
    expect(userInitials(null)).toBe('?');
  });

  it('picks the same colour for the same id, and spreads ids over the palette', () => {
    const id = '3fa9b2c4-71d0-4e8a-b6f3-2c5d9e0a1b44';
    expect(userColour(id)).toEqual(userColour(id));
    const ids = Array.from({ length: 64 }, (_, i) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
    expect(new Set(ids.map((x) => userColour(x).avatar)).size).toBeGreaterThan(4);
  });
});
