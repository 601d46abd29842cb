import { useEffect, useState } from 'react';
import { LazyDialogSlot } from '../../shared/ui/lazy-dialog-slot';
import { useLazyDialog } from '../../shared/ui/use-lazy-dialog';
import { OPEN_SEARCH_EVENT, openSearch } from './open-search';

/** The dialog's code, fetched when it is first opened (React.lazy, use-lazy-dialog.ts). */
const loadSearchDialog = () => import('./search-dialog.container').then((module) => module.SearchDialogContainer);

/** Q3: the key that opens search with Ctrl (Cmd on a Mac). */
const SHORTCUT_KEY = 'k';

/**
 * The app's one search dialog, opened by the buttons (open-search.ts) and by
 * Ctrl+K / ⌘K. It comes with what waits for start-up (app/deferred.tsx):
 * the first screen has only the buttons.
 */
export function SearchHost({ hitPath }: { hitPath: (roomId: string, seq: number) => string }) {
  const dialog = useLazyDialog(loadSearchDialog);
  const [scope, setScope] = useState<string | null>(null);
  const { show } = dialog;
  useEffect(() => {
    const onOpen = (event: Event) => {
      setScope((event as CustomEvent<string | null>).detail);
      show();
    };
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === SHORTCUT_KEY) {
        // Instead of the browser's own Ctrl+K (its search bar).
        event.preventDefault();
        openSearch(null);
      }
    };
    window.addEventListener(OPEN_SEARCH_EVENT, onOpen);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener(OPEN_SEARCH_EVENT, onOpen);
      window.removeEventListener('keydown', onKey);
    };
  }, [show]);
  return <LazyDialogSlot dialog={dialog} props={{ open: dialog.open, onClose: dialog.hide, scopeRoomId: scope, onClearScope: () => setScope(null), hitPath }} />;
}
