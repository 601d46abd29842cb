import { useEffect, useState, type ComponentType } from 'react';
import type { TimelineItem } from '../../../shared/sync/timeline';
import { DotsIcon } from './action-icons';
import type { MessageActionsMenuProps } from './message-actions-menu';

/** The menu's chunk, once fetched: every bubble drawn after that renders the menu itself. */
let loadedMenu: ComponentType<MessageActionsMenuProps> | null = null;
let loading: Promise<ComponentType<MessageActionsMenuProps>> | null = null;

/** Fetches the menu's code once (again after a failure: offline before the service worker had it). */
export function loadMessageActionsMenu(): Promise<ComponentType<MessageActionsMenuProps>> {
  loading ??= import('./message-actions-menu').then(
    (module) => (loadedMenu = module.MessageActionsMenu),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

export interface MessageActionsTriggerProps {
  item: TimelineItem;
  /** Above 0 while asked to open (the button, a long press on the bubble); back to 0 once open. */
  openRequest: number;
  onOpenRequest: () => void;
  onOpened: () => void;
  className: string;
}

/**
 * C9: the "Message actions" button. Until the menu's code is here it is a
 * plain button of the same look; a tap fetches the code and opens the menu
 * as soon as it arrives (hovering or focusing the message fetches it ahead).
 */
export function MessageActionsTrigger({ item, openRequest, onOpenRequest, onOpened, className }: MessageActionsTriggerProps) {
  const [Menu, setMenu] = useState(() => loadedMenu);
  useEffect(() => {
    if (Menu || openRequest === 0) return;
    let live = true;
    loadMessageActionsMenu().then(
      (loaded) => live && setMenu(() => loaded),
      (error: unknown) => console.warn('whisper: could not load the message menu', error),
    );
    return () => {
      live = false;
    };
  }, [Menu, openRequest]);
  if (Menu) return <Menu item={item} openRequest={openRequest} onOpened={onOpened} className={className} />;
  return (
    <button type="button" aria-label="Message actions" aria-haspopup="menu" className={className} onClick={onOpenRequest}>
      <DotsIcon className="size-4" />
    </button>
  );
}
