import { PRIMARY_BUTTON } from '../../../shared/ui/buttons';

/**
 * A room address that is not a room of yours: it never was, or you left,
 * were removed, or it was deleted (the server does not tell these apart,
 * M3, and neither does this page).
 */
export function RoomUnavailable({ onBack }: { onBack: () => void }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 overflow-y-auto p-6 text-center">
      <h1 className="text-xl font-semibold tracking-tight">This room isn’t available</h1>
      <p className="max-w-sm text-ink-muted">It may have been deleted, or you are no longer in it.</p>
      <button type="button" onClick={onBack} className={`${PRIMARY_BUTTON} mt-2`}>
        Back to your rooms
      </button>
    </div>
  );
}
