import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
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
    const started = startSyncEngine({ db: db ?? database(), origin: origin ?? window.location.origin });
    setEngine(started);
    return () => started.stop();
  }, [origin, db]);
  if (!engine) return null;
  return <EngineContext.Provider value={engine}>{children}</EngineContext.Provider>;
}

export function useEngine(): SyncEngine {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine must be used inside <EngineProvider>');
  return engine;
}
