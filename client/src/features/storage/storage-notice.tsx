import { usePersistentStorage } from './use-persistent-storage';

/**
 * Warns, once and dismissibly, when the browser may evict Whisper's storage:
 * unsent messages live in IndexedDB until the server acknowledges them.
 */
export function StorageNotice() {
  const { showNotice, dismissNotice } = usePersistentStorage();
  if (!showNotice) return null;
  return (
    <section
      aria-label="Storage notice"
      className="flex shrink-0 items-start gap-3 border-b border-line bg-warning-soft px-4 py-3 text-sm text-warning-ink"
    >
      <p className="flex-1">
        Your browser may clear Whisper's storage when space runs low; unsent messages could be lost. Install the app or
        allow persistent storage to keep them safe.
      </p>
      <button
        type="button"
        aria-label="Dismiss storage notice"
        onClick={dismissNotice}
        className="-my-1 inline-flex min-h-9 shrink-0 items-center rounded-lg px-3 font-medium hover:bg-warning-ink/10"
      >
        Dismiss
      </button>
    </section>
  );
}
