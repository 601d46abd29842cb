import { Link } from 'wouter';

/** Any path the app does not know: say so, and offer the way back. */
export function NotFound() {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 overflow-y-auto p-6 text-center">
      <p className="text-sm font-semibold text-accent-text">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="max-w-sm text-ink-muted">There is nothing at this address.</p>
      <Link
        href="/"
        className="mt-2 inline-flex min-h-11 items-center rounded-lg bg-accent px-4 text-sm font-medium text-accent-ink hover:bg-accent-hover"
      >
        Back to your rooms
      </Link>
    </div>
  );
}
