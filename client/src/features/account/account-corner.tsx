import { lazy, Suspense, useCallback, useMemo, useState, type ReactNode } from 'react';
import { useAccount } from '../../shared/sync/use-account';
import { PRIMARY_BUTTON, QUIET_BUTTON } from '../../shared/ui/buttons';
import { LoadBoundary } from '../../shared/ui/load-boundary';
import type { SheetView } from './account-sheet';
import { loadAccountSheet } from './preload';

/** The nudge is shown once: dismissed (or acted on), it stays away on this device. */
const NUDGE_DISMISSED_KEY = 'whisper.account.nudge-dismissed';
function nudgeDismissed(): boolean {
  try {
    return window.localStorage.getItem(NUDGE_DISMISSED_KEY) !== null;
  } catch {
    return false;
  }
}
function dismissNudge(): void {
  try {
    window.localStorage.setItem(NUDGE_DISMISSED_KEY, '1');
  } catch {
    // Storage refused: it is shown again next time, nothing worse.
  }
}

/**
 * The identity card as a button that opens the profile sheet (A5), and,
 * for an anonymous identity, a one-time, dismissible note that an account
 * keeps their chats on their other devices (A1). The sheet is loaded on
 * first use; a load that fails (offline before it was cached) says so.
 */
export function AccountCorner({ card, label, settings }: { card: ReactNode; label: string; settings?: ReactNode }) {
  const account = useAccount();
  const [sheet, setSheet] = useState({ open: false, mounted: false, view: 'profile' as SheetView, key: 0, attempt: 0, failed: false });
  const [nudged, setNudged] = useState(nudgeDismissed);
  const Sheet = useMemo(() => lazy(async () => ({ default: await loadAccountSheet() })), [sheet.attempt]); // eslint-disable-line react-hooks/exhaustive-deps -- a new attempt is a new lazy component
  const show = (view: SheetView) => setSheet((s) => ({ ...s, open: true, mounted: true, failed: false, view, key: s.key + 1 }));
  const hide = useCallback(() => setSheet((s) => ({ ...s, open: false })), []);
  const fail = useCallback((error: unknown) => {
    console.warn('whisper: could not load the profile', error);
    setSheet((s) => ({ ...s, open: false, mounted: false, failed: true, attempt: s.attempt + 1 }));
  }, []);
  const prefetch = () => void loadAccountSheet().catch(() => undefined);
  const anonymous = account !== undefined && account.userId !== undefined && account.username === null;

  return (
    <div className="flex flex-col gap-2">
      {anonymous && !nudged && (
        <aside aria-label="Account" className="rounded-xl border border-line bg-canvas p-3 text-sm">
          <p className="text-ink">An account keeps your chats on your other devices.</p>
          <div className="mt-2 flex gap-2">
            <button
              type="button"
              aria-haspopup="dialog"
              onClick={() => {
                dismissNudge();
                setNudged(true);
                show('signup');
              }}
              onPointerEnter={prefetch}
              onFocus={prefetch}
              className={PRIMARY_BUTTON}
            >
              Create account
            </button>
            <button
              type="button"
              onClick={() => {
                dismissNudge();
                setNudged(true);
              }}
              className={QUIET_BUTTON}
            >
              Not now
            </button>
          </div>
        </aside>
      )}
      <button
        type="button"
        aria-haspopup="dialog"
        aria-label={label}
        onClick={() => show('profile')}
        onPointerEnter={prefetch}
        onFocus={prefetch}
        className="w-full rounded-xl text-left hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-accent"
      >
        {card}
      </button>
      {sheet.mounted && (
        <LoadBoundary onError={fail}>
          <Suspense fallback={null}>
            <Sheet key={sheet.key} open={sheet.open} onClose={hide} initialView={sheet.view} settings={settings} />
          </Suspense>
        </LoadBoundary>
      )}
      {sheet.failed && (
        <div
          role="alert"
          className="fixed inset-x-3 top-[max(0.75rem,env(safe-area-inset-top))] z-50 mx-auto flex max-w-sm items-center gap-3 rounded-xl border border-line bg-surface py-2 pr-2 pl-4 text-sm text-ink shadow-lg"
        >
          <p className="flex-1">Can’t open your profile without a connection. Try again once you are online.</p>
          <button type="button" onClick={() => setSheet((s) => ({ ...s, failed: false }))} className={QUIET_BUTTON}>
            OK
          </button>
        </div>
      )}
    </div>
  );
}
