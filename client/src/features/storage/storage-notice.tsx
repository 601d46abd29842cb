import { useState } from 'react';
import { useUnsentCount } from '../../shared/sync/use-unsent-work';
import { CloseIcon, SvgIcon } from '../../shared/ui/icons';
import { shouldShowStorageNotice } from './persistent-storage';
import { usePersistentStorage } from './use-persistent-storage';

/**
 * Warns, dismissibly, when the browser may evict Whisper's storage and that
 * matters: there are unsent messages (the outbox lives in IndexedDB until
 * the server acknowledges each one), or the user asked the browser to keep
 * the data and it refused. A refusal alone (the usual answer to a first
 * visit) says nothing: a new user is not greeted with a warning.
 *
 * Kept to one slim line (two on a narrow phone) so it never pushes the
 * conversation off the first screen; the how-to sits behind a native
 * disclosure, which needs no script and is keyboard-operable as it is.
 */
export function StorageNotice() {
  const unsent = useUnsentCount();
  const { state, explicitlyRefused, dismissed, request, dismissNotice } = usePersistentStorage();
  const [asking, setAsking] = useState(false);
  if (!shouldShowStorageNotice({ state, unsent, explicitlyRefused, dismissed })) return null;

  const ask = async () => {
    setAsking(true);
    try {
      await request();
    } finally {
      setAsking(false);
    }
  };

  return (
    <section
      aria-label="Storage notice"
      data-unsent={unsent}
      className="shrink-0 border-b border-warning-ink/15 bg-warning-soft text-warning-ink motion-safe:transition-opacity motion-safe:duration-300 motion-safe:starting:opacity-0"
    >
      <div className="flex items-start gap-2 py-1 pr-1 pl-3 text-[13px] leading-5 md:pl-4">
        <ShieldIcon className="mt-2 size-4 shrink-0 opacity-80" />
        <details className="group min-w-0 flex-1 py-1.5" open={explicitlyRefused || undefined}>
          <summary className="cursor-pointer list-none rounded-sm [&::-webkit-details-marker]:hidden">
            {explicitlyRefused
              ? 'Your browser would not promise to keep Whisper\'s data on this device.'
              : 'Your browser may clear unsent messages if space runs low.'}{' '}
            <span className="font-medium whitespace-nowrap underline decoration-warning-ink/40 underline-offset-2 group-open:hidden">
              Keep them safe
            </span>
          </summary>
          <p className="mt-1 text-pretty">
            Messages wait on this device until the server has them. Install Whisper as an app, or allow persistent
            storage for this site in your browser&apos;s settings, so the browser keeps them.
          </p>
          {!explicitlyRefused && (
            <button
              type="button"
              onClick={() => void ask()}
              disabled={asking}
              className="mt-2 inline-flex min-h-9 items-center rounded-lg border border-warning-ink/30 px-3 font-medium transition-colors hover:bg-warning-ink/10 disabled:cursor-wait"
            >
              Ask the browser to keep them
            </button>
          )}
        </details>
        <button
          type="button"
          aria-label="Dismiss storage notice"
          title="Dismiss"
          onClick={dismissNotice}
          className="grid size-9 shrink-0 place-items-center rounded-lg transition-colors hover:bg-warning-ink/10"
        >
          <CloseIcon className="size-4" />
        </button>
      </div>
    </section>
  );
}

function ShieldIcon({ className }: { className?: string }) {
  return (
    <SvgIcon className={className}>
      <path d="M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6l7-3z" />
      <path d="M12 8v4.5M12 16h.01" />
    </SvgIcon>
  );
}
