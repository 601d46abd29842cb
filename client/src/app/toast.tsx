import type { ReactNode } from 'react';

export interface ToastProps {
  title: string;
  detail?: string;
  /** Buttons, right-aligned under the text. */
  actions: ReactNode;
}

/** A small card for non-blocking notices; the announcing live region is the caller's. */
export function Toast({ title, detail, actions }: ToastProps) {
  return (
    <div className="pointer-events-auto flex flex-wrap items-center justify-end gap-x-3 gap-y-2 rounded-xl border border-line bg-surface py-2.5 pr-2.5 pl-4 shadow-lg shadow-slate-950/10 motion-safe:transition motion-safe:duration-200 motion-safe:starting:translate-y-2 motion-safe:starting:opacity-0">
      <div className="flex min-w-48 flex-1 flex-col">
        <p className="text-sm font-medium text-ink">{title}</p>
        {detail && <p className="text-sm text-ink-muted">{detail}</p>}
      </div>
      <div className="flex shrink-0 gap-1">{actions}</div>
    </div>
  );
}
