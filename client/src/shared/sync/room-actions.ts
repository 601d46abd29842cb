import { ulid } from 'ulid';
import { OpName, RoomKind, dmRoomId, type Room } from '@whisper/protocol';
import type { ChatStore } from './chat-store';
import type { MessageRef } from './message-actions-store';
import type { ReplyDraft } from './outbox-store';

/**
 * What the user does in and to rooms (P2, P11, M1, M2), as outbox writes:
 * each shows at once through the live queries and goes out in order with
 * everything else (C1). Shared by the app's engine and the Node client of
 * the chaos harness, so both queue exactly the same ops.
 */

export interface NewRoom {
  kind: typeof RoomKind.Group | typeof RoomKind.Public;
  name: string;
  userIds: string[];
}

/**
 * `publicRoom` gives the public room a join is for, as the public list
 * showed it, so it appears at once while the join is pending.
 */
export function createRoomActions(store: ChatStore, publicRoom: (roomId: string) => Room | undefined = () => undefined) {
  /** Ops naming the user themselves (joining, leaving, a DM's id) need the identity the server gave this device. */
  async function me(what: string): Promise<string> {
    const userId = await store.myUserId();
    if (!userId) throw new Error(`${what} needs this device's identity, which it gets the first time it reaches the server.`);
    return userId;
  }

  return {
    /** C1: written to IndexedDB first, shown at once as pending, sent when possible; X1: optionally as a reply. */
    async send(roomId: string, content: string, reply?: ReplyDraft): Promise<void> {
      await store.enqueue(roomId, content, reply);
    },

    /** X2, X4: the author's new text; shown at once, sent as little as it takes. */
    editMessage: (ref: MessageRef, content: string) => store.editMessage(ref, content),
    /** X2, X4: the author (or a group's owner) deletes a message; its words disappear at once. */
    deleteMessage: (ref: MessageRef) => store.deleteMessage(ref),
    /** X3, X4: adds or takes back the user's reaction. */
    setReaction: (ref: MessageRef, emoji: string, on: boolean) => store.setReaction(ref, emoji, on),

    /** M2: the id is minted here (a lower-case ULID), so the room takes messages at once, offline too. */
    async createRoom({ kind, name, userIds }: NewRoom): Promise<string> {
      const roomId = ulid().toLowerCase();
      await store.enqueueOp({ op: OpName.RoomCreate, room_id: roomId, name: name.trim(), kind, user_ids: [...new Set(userIds)] });
      return roomId;
    },

    /** M2: the DM's id comes from both people's ids; it is created unless this device has it or is creating it. */
    async openDm(userId: string): Promise<string> {
      const myId = await me('Starting a conversation');
      if (userId === myId) throw new Error('A conversation needs someone else.');
      const roomId = dmRoomId(myId, userId);
      await store.createOnce({ op: OpName.RoomCreate, room_id: roomId, name: '', kind: RoomKind.Dm, user_ids: [userId] });
      return roomId;
    },

    /** Adding yourself to a public room is joining it. */
    async joinRoom(roomId: string): Promise<void> {
      await store.enqueueOp({ op: OpName.MemberAdd, room_id: roomId, user_ids: [await me('Joining a room')] }, publicRoom(roomId));
    },
    /** Removing yourself is leaving. */
    async leaveRoom(roomId: string): Promise<void> {
      await store.enqueueOp({ op: OpName.MemberRemove, room_id: roomId, user_ids: [await me('Leaving a room')] });
    },
    async renameRoom(roomId: string, name: string): Promise<void> {
      await store.enqueueOp({ op: OpName.RoomUpdate, room_id: roomId, name: name.trim() });
    },
    async deleteRoom(roomId: string): Promise<void> {
      await store.enqueueOp({ op: OpName.RoomDelete, room_id: roomId });
    },
    async addMembers(roomId: string, userIds: string[]): Promise<void> {
      await store.enqueueOp({ op: OpName.MemberAdd, room_id: roomId, user_ids: [...new Set(userIds)] });
    },
    async removeMember(roomId: string, userId: string): Promise<void> {
      await store.enqueueOp({ op: OpName.MemberRemove, room_id: roomId, user_ids: [userId] });
    },
  };
}

export type RoomActions = ReturnType<typeof createRoomActions>;
