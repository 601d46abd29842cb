/**
 * The "Message actions" menu (C9), on Headless UI's Menu: arrow keys move
 * between items, Esc closes and focus returns to the button, type-ahead
 * works. Loaded as a chunk of its own (message-actions-trigger.tsx), so
 * Headless UI stays out of the first screen's JavaScript.
 */
import { Menu, MenuButton, MenuItem, MenuItems, MenuSeparator } from '@headlessui/react';
import { useEffect, useRef } from 'react';
import type { TimelineItem } from '../../../shared/sync/timeline';
import { QUICK_REACTIONS, useMessageActions } from './message-actions-context';
import { CopyIcon, DotsIcon, EditIcon, ReplyIcon, SmileIcon } from './action-icons';
import { TrashIcon } from '../../../shared/ui/icons';

export interface MessageActionsMenuProps {
  item: TimelineItem;
  /** Above 0 while the menu is asked to open (the button, a long press); `onOpened` puts it back to 0. */
  openRequest: number;
  onOpened: () => void;
  className: string;
}

const ITEM =
  'flex w-full min-h-11 items-center gap-3 rounded-lg px-3 text-left text-sm text-slate-800 data-focus:bg-slate-100 dark:text-slate-100 dark:data-focus:bg-white/10 sm:min-h-9';

export function MessageActionsMenu({ item, openRequest, onOpened, className }: MessageActionsMenuProps) {
  const actions = useMessageActions();
  const buttonRef = useRef<HTMLButtonElement>(null);
  // Asked to open before this code was here (or by a long press): open it as a click on its button would.
  useEffect(() => {
    if (openRequest === 0) return;
    buttonRef.current?.click();
    // Handled: a menu mounted again later (after editing in place) must not open by itself.
    onOpened();
  }, [openRequest, onOpened]);
  if (!actions) return null;
  const mineFor = (emoji: string) => item.reactions.some((reaction) => reaction.emoji === emoji && reaction.mine);

  return (
    <Menu>
      <MenuButton ref={buttonRef} aria-label="Message actions" className={className}>
        <DotsIcon className="size-4" />
      </MenuButton>
      <MenuItems
        anchor={{ to: item.own ? 'bottom end' : 'bottom start', gap: 4, padding: 8 }}
        modal={false}
        className="z-40 w-60 rounded-2xl bg-white p-1.5 shadow-xl ring-1 ring-slate-900/10 focus:outline-none dark:bg-slate-800 dark:ring-white/10"
      >
        <div className="flex justify-between px-1 pb-1" role="group" aria-label="Quick reactions">
          {QUICK_REACTIONS.map((emoji) => (
            <MenuItem key={emoji}>
              <button
                type="button"
                aria-label={mineFor(emoji) ? `Remove reaction ${emoji}` : `React ${emoji}`}
                aria-pressed={mineFor(emoji)}
                onClick={() => actions.react(item, emoji, !mineFor(emoji))}
                className="grid size-9 place-items-center rounded-full text-xl data-focus:bg-slate-100 aria-pressed:bg-indigo-100 dark:data-focus:bg-white/10 dark:aria-pressed:bg-indigo-500/30"
              >
                {emoji}
              </button>
            </MenuItem>
          ))}
        </div>
        <MenuSeparator className="my-1 h-px bg-slate-200 dark:bg-white/10" />
        <MenuItem>
          <button type="button" className={ITEM} onClick={() => actions.reply(item)}>
            <ReplyIcon className="size-4" /> Reply
          </button>
        </MenuItem>
        {actions.canEdit(item) && (
          <MenuItem>
            <button type="button" className={ITEM} onClick={() => actions.startEdit(item)}>
              <EditIcon className="size-4" /> Edit
            </button>
          </MenuItem>
        )}
        <MenuItem>
          <button type="button" className={ITEM} onClick={() => actions.pickEmoji(item)}>
            <SmileIcon className="size-4" /> Add reaction
          </button>
        </MenuItem>
        <MenuItem>
          <button type="button" className={ITEM} onClick={() => actions.copy(item)}>
            <CopyIcon className="size-4" /> Copy
          </button>
        </MenuItem>
        {actions.canDelete(item) && (
          <MenuItem>
            <button type="button" className={`${ITEM} text-rose-700 dark:text-rose-300`} onClick={() => actions.remove(item)}>
              <TrashIcon className="size-4" /> Delete
            </button>
          </MenuItem>
        )}
      </MenuItems>
    </Menu>
  );
}
