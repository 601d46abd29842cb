/**
 * An on/off switch: a button with role="switch" (the ARIA pattern), named
 * by the element `labelledBy` points at. The off track is darker than the
 * hairline colour so it reads as a control on a white sheet.
 */
export function Switch({ on, labelledBy, disabled, onChange }: { on: boolean; labelledBy: string; disabled?: boolean; onChange: (on: boolean) => void }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={on}
      aria-labelledby={labelledBy}
      disabled={disabled}
      onClick={() => onChange(!on)}
      className="relative h-6 w-10 shrink-0 rounded-full bg-slate-400 transition-colors aria-checked:bg-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent disabled:cursor-not-allowed disabled:opacity-50 dark:bg-slate-600"
    >
      <span aria-hidden className={`absolute top-0.5 left-0.5 size-5 rounded-full bg-white shadow transition-transform ${on ? 'translate-x-4' : ''}`} />
    </button>
  );
}
