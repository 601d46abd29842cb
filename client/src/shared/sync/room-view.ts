import { DEFAULT_ROOM_ID, RoomKind, type Room, type User } from '@whisper/protocol';
import { metaTable } from '../db/meta.table';
import { outboxTable } from '../db/outbox.table';
import { roomsTable } from '../db/rooms.table';
import { usersTable } from '../db/users.table';
import type { WhisperDatabase } from '../db/whisper-db';
import { useEngine } from './engine-context';
import { personOf, unknownAmong } from './names';
import { overlayRooms, type RoomState } from './room-overlay';
import { dmPartner } from './room-state';
import { useLiveRead } from './want-people';

export interface RoomMember {
  id: string;
  displayName: string;
  color: string;
  /** A5: their profile picture (media id), or null. */
  avatar: string | null;
  isOwner: boolean;
  isMe: boolean;
}

/** One room as its header and details panel show it (M1, M4). */
export interface RoomView {
  id: string;
  kind: RoomKind;
  /** As in the list: a DM shows the other person's name. */
  name: string;
  /** The room's own name ('' for a DM), for the rename field. */
  roomName: string;
  /** general: everyone is in it (members is empty, memberCount = everyone). */
  everyone: boolean;
  ownerId: string | null;
  isOwner: boolean;
  members: RoomMember[];
  memberCount: number;
  state: RoomState;
  canRename: boolean;
  canDelete: boolean;
  canAddPeople: boolean;
  canLeave: boolean;
  canRemoveOthers: boolean;
  /** N1: muted by the user. */
  muted?: boolean;
}

/**
 * The room with this device's pending ops laid over it; null when it is not
 * the user's room. One read-only transaction for all of it.
 */
export function readRoomView(db: WhisperDatabase, roomId: string): Promise<{ view: RoomView | null; unknownPeople: string[] }> {
  return db.transaction('r', [db.rooms, db.outbox, db.meta, db.users], async () => {
    const [stored, outbox, me] = await Promise.all([roomsTable.get(db, roomId), outboxTable.ofRoom(db, roomId), metaTable.myUserId(db)]);
    const local = overlayRooms(stored ? [stored] : [], outbox, me).get(roomId);
    if (!local) return { view: null, unknownPeople: [] };
    const users = await usersTable.byIds(db, local.room.members);
    return roomView(local.room, local.state, users, me);
  });
}

function roomView(room: Room, state: RoomState, users: ReadonlyMap<string, User>, me: string | undefined): { view: RoomView; unknownPeople: string[] } {
  const other = dmPartner(room, me);
  const everyone = room.id === DEFAULT_ROOM_ID;
  const isOwner = me !== undefined && room.owner_id === me;
  // M1: DMs have exactly two people and no owner; general has everyone and nobody may change it.
  const changeable = room.kind !== RoomKind.Dm && !everyone;
  return {
    view: {
      id: room.id,
      kind: room.kind,
      name: other !== null ? personOf(users, other).display_name : room.name,
      roomName: room.name,
      everyone,
      ownerId: room.owner_id,
      isOwner,
      members: room.members.map((id) => {
        const person = personOf(users, id);
        return { id, displayName: person.display_name, color: person.color, avatar: person.avatar ?? null, isOwner: id === room.owner_id, isMe: id === me };
      }),
      memberCount: room.member_count,
      state,
      canRename: changeable && isOwner,
      canDelete: changeable && isOwner,
      canAddPeople: changeable,
      canLeave: changeable,
      canRemoveOthers: changeable && isOwner,
      muted: room.muted,
    },
    unknownPeople: unknownAmong(users, room.members),
  };
}

/** One room; null: not a room of yours (never was, left, removed or deleted); undefined while loading. */
export function useRoom(roomId: string): RoomView | null | undefined {
  const { db } = useEngine();
  return useLiveRead(() => readRoomView(db, roomId), [db, roomId])?.view;
}
