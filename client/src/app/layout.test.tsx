import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { describe, expect, it } from 'vitest';
import { Layout } from './layout';

/** Renders inside act so the storage notice's async persist() check settles before assertions. */
async function renderLayout(path = '/chat') {
  const { hook } = memoryLocation({ path });
  await act(async () => {
    render(
      <Router hook={hook}>
        <Layout>
          <p>page</p>
        </Layout>
      </Router>,
    );
  });
}

describe('Layout', () => {
  it('has one sidebar link to Whisper Chat, marked current on /chat', async () => {
    await renderLayout('/chat');
    const link = screen.getByRole('link', { name: 'Whisper Chat' });
    expect(link).toHaveAttribute('href', '/chat');
    expect(link).toHaveAttribute('aria-current', 'page');
    expect(screen.getByText('# general')).toBeInTheDocument();
  });

  it('does not mark the link current elsewhere', async () => {
    await renderLayout('/elsewhere');
    expect(screen.getByRole('link', { name: 'Whisper Chat' })).not.toHaveAttribute('aria-current');
  });

  it('opens the phone drawer as a modal dialog, moves focus in, and closes on Escape with focus back on the menu button', async () => {
    const user = userEvent.setup();
    await renderLayout();
    const menu = screen.getByRole('button', { name: 'Open menu' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');

    await user.click(menu);
    const dialog = screen.getByRole('dialog', { name: 'Menu' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('button', { name: 'Close menu' })).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(menu).toHaveFocus();
  });

  it('closes the drawer when a nav link is followed', async () => {
    const user = userEvent.setup();
    await renderLayout('/elsewhere');
    await user.click(screen.getByRole('button', { name: 'Open menu' }));
    await user.click(screen.getByRole('link', { name: 'Whisper Chat' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
