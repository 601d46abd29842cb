import { Suspense } from 'react';
import { QUIET_BUTTON } from './buttons';
import { LoadBoundary } from './load-boundary';
import type { LazyDialog } from './use-lazy-dialog';

/**
 * Where a lazily loaded dialog mounts once it has been opened; and, when its
 * code could not be fetched, a notice saying why nothing opened.
 */
export function LazyDialogSlot<P extends object>({ dialog, props }: { dialog: LazyDialog<P>; props: P }) {
  const { Component } = dialog;
  return (
    <>
      {dialog.mounted && (
        <LoadBoundary onError={dialog.fail}>
          <Suspense fallback={null}>
            <Component key={dialog.key} {...props} />
          </Suspense>
        </LoadBoundary>
      )}
      {dialog.failed && (
        <div
          role="alert"
          className="fixed inset-x-3 top-[max(0.75rem,env(safe-area-inset-top))] z-50 mx-auto flex max-w-sm items-center gap-3 rounded-xl border border-line bg-surface py-2 pr-2 pl-4 text-sm text-ink shadow-lg"
        >
          <p className="flex-1">Can’t open that without a connection. Try again once you are online.</p>
          <button type="button" onClick={dialog.dismiss} className={QUIET_BUTTON}>
            OK
          </button>
        </div>
      )}
    </>
  );
}
