import type { User } from '@whisper/protocol';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { cachedMessagesTable } from '../../shared/db/cached-messages.table';
import { roomsTable } from '../../shared/db/rooms.table';
import { usersTable } from '../../shared/db/users.table';
import { useEngine } from '../../shared/sync/engine-context';
import { personOf, unknownAmong } from '../../shared/sync/names';
import { useRoomList } from '../../shared/sync/room-list';
import { useLiveRead } from '../../shared/sync/want-people';
import type { SyncEngine } from '../../shared/sync/sync-engine';
import { SearchDialog } from './components/search-dialog';
import type { HitNames } from './components/hit-list';
import { localCorpus, type LocalCorpus } from './local-search';
import { fetchSearch, type SearchHit, type SearchPage } from './search-api';
import type { SearchSources } from './use-message-search';

export interface SearchDialogContainerProps {
  open: boolean;
  onClose: () => void;
  /** The room searched alone (from its bar); null: every room of the user. */
  scopeRoomId: string | null;
  onClearScope: () => void;
  /** Where a hit opens: its room at its message (the app's room address). */
  hitPath: (roomId: string, seq: number) => string;
}

/** Q2: the device's cached messages of the user's rooms, read once per opening of the dialog (see local-search.ts). */
async function readCorpus(engine: SyncEngine): Promise<LocalCorpus> {
  const { db } = engine;
  return db.transaction('r', [db.messages, db.rooms], async () => {
    const [messages, roomIds] = await Promise.all([cachedMessagesTable.all(db), roomsTable.ids(db)]);
    return localCorpus(messages, new Set(roomIds));
  });
}

const NO_PEOPLE: Map<string, User> = new Map();

/** The search dialog wired to the server (Q1), the device's cache (Q2), the rooms and people this device knows, and the router (Q3). */
export function SearchDialogContainer({ open, onClose, scopeRoomId, onClearScope, hitPath }: SearchDialogContainerProps) {
  const engine = useEngine();
  const rooms = useRoomList();
  const [, navigate] = useLocation();
  const [senders, setSenders] = useState<readonly string[]>([]);
  const corpus = useRef<Promise<LocalCorpus> | null>(null);

  const sources = useMemo<SearchSources>(() => {
    const seen = (page: SearchPage) => {
      setSenders((known) => {
        const fresh = [...new Set(page.data.map((hit) => hit.user_id))].filter((id) => !known.includes(id));
        return fresh.length ? [...known, ...fresh] : known;
      });
      return page;
    };
    return {
      // The app's server is the page's own origin (as the engine's is).
      server: async (request) => seen(await fetchSearch(location.origin, (await engine.store.getIdentity())?.token, request)),
      device: async (request) => {
        corpus.current ??= readCorpus(engine);
        // A failed read is not kept: the next search reads again.
        corpus.current.catch(() => (corpus.current = null));
        return seen((await corpus.current).search(request.q, { roomId: request.roomId, cursor: request.cursor }));
      },
    };
  }, [engine]);

  const partners = useMemo(() => (rooms ?? []).flatMap((room) => (room.otherUserId ? [room.otherUserId] : [])), [rooms]);
  const people = useLiveRead(async () => {
    const ids = [...senders, ...partners];
    const users = await usersTable.byIds(engine.db, ids);
    return { users, unknownPeople: unknownAmong(users, ids) };
  }, [engine, senders, partners]);

  const names = useMemo<HitNames>(() => {
    const users = people?.users ?? NO_PEOPLE;
    const byId = new Map((rooms ?? []).map((room) => [room.id, room]));
    return {
      room: (roomId) => {
        const room = byId.get(roomId);
        if (!room) return { name: 'A room you left', kind: 'group' };
        return { name: room.name, kind: room.kind, color: room.otherUserId ? users.get(room.otherUserId)?.color : undefined };
      },
      person: (userId) => personOf(users, userId).display_name,
    };
  }, [people, rooms]);

  const scopeName = scopeRoomId ? (rooms?.find((room) => room.id === scopeRoomId)?.name ?? 'this room') : '';
  const openHit = useCallback(
    (hit: SearchHit) => {
      onClose();
      navigate(hitPath(hit.room_id, hit.seq));
    },
    [onClose, navigate, hitPath],
  );

  return (
    <SearchDialog
      open={open}
      onClose={onClose}
      scope={scopeRoomId ? { roomId: scopeRoomId, name: scopeName } : null}
      onClearScope={onClearScope}
      sources={sources}
      names={names}
      onOpenHit={openHit}
    />
  );
}
