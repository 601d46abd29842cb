import { lazy, useCallback, useMemo, useState, type ComponentType } from 'react';

export interface LazyDialog<P> {
  /** The dialog component; a fresh React.lazy after a failed load, so opening again fetches again. */
  Component: ComponentType<P>;
  open: boolean;
  /** Mounted since it was first opened, so it can play its closing transition. */
  mounted: boolean;
  /** Changes on every opening: a dialog keyed by it starts afresh (an empty form). */
  key: number;
  /** The last opening could not load the dialog's code (offline before it was cached). */
  failed: boolean;
  show: () => void;
  hide: () => void;
  /** For LoadBoundary's onError. */
  fail: (error: unknown) => void;
  /** Puts the failure notice away. */
  dismiss: () => void;
}

/**
 * A dialog whose code is loaded on first use (React.lazy): nothing of it is
 * mounted or evaluated before that (the service worker's precache holds its
 * chunk, so it opens offline once the worker is installed). A failed
 * load closes it and says so (`failed`); the next opening tries again.
 */
export function useLazyDialog<P>(load: () => Promise<ComponentType<P>>): LazyDialog<P> {
  const [state, setState] = useState({ open: false, mounted: false, key: 0, failed: false, attempt: 0 });
  const Component = useMemo(() => lazy(async () => ({ default: await load() })), [load, state.attempt]); // eslint-disable-line react-hooks/exhaustive-deps -- a new attempt is a new lazy component
  const show = useCallback(() => setState((s) => ({ ...s, open: true, mounted: true, failed: false, key: s.open ? s.key : s.key + 1 })), []);
  const hide = useCallback(() => setState((s) => ({ ...s, open: false })), []);
  const fail = useCallback((error: unknown) => {
    console.warn('whisper: could not load a dialog', error);
    setState((s) => ({ ...s, open: false, mounted: false, failed: true, attempt: s.attempt + 1 }));
  }, []);
  const dismiss = useCallback(() => setState((s) => ({ ...s, failed: false })), []);
  return { Component, open: state.open, mounted: state.mounted, key: state.key, failed: state.failed, show, hide, fail, dismiss };
}
