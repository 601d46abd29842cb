import { createContext, startTransition, useContext, useEffect, useState, type ReactNode } from 'react';
import { openDatabase, type WhisperDatabase } from '../db/whisper-db';
import { startSyncEngine, type SyncEngine } from './sync-engine';

const EngineContext = createContext<SyncEngine | null>(null);

let sharedDb: WhisperDatabase | undefined;
function database(): WhisperDatabase {
  sharedDb ??= openDatabase();
  return sharedDb;
}

/**
 * Starts the sync engine for the page and provides it. The engine is made
 * inside the effect so that React's development double-mount gets a fresh
 * one instead of a stopped one.
 */
export function EngineProvider({ children, origin, db }: { children: ReactNode; origin?: string; db?: WhisperDatabase }) {
  const [engine, setEngine] = useState<SyncEngine | null>(null);
  useEffect(() => {
    let started: SyncEngine | undefined;
    // A task of its own, after the first paint's: loading the code, starting
    // the engine and rendering the app are three short tasks, not one long one.
    const timer = setTimeout(() => {
      const engine = startSyncEngine({ db: db ?? database(), origin: origin ?? window.location.origin });
      started = engine;
      // The whole app renders once the engine exists: as a transition, React
      // renders it in slices and never blocks input for the length of it.
      startTransition(() => setEngine(engine));
    });
    return () => {
      clearTimeout(timer);
      started?.stop();
    };
  }, [origin, db]);
  if (!engine) return null;
  return <EngineContext.Provider value={engine}>{children}</EngineContext.Provider>;
}

export function useEngine(): SyncEngine {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine must be used inside <EngineProvider>');
  return engine;
}

/** The engine when there is one (components that also render outside the app's provider, in tests). */
export function useOptionalEngine(): SyncEngine | null {
  return useContext(EngineContext);
}
