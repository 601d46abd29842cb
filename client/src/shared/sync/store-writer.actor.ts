import { fromCallback } from 'xstate';
import type { AckFrame, ChatMessage, LogEvent, ReceiptsFrame, RejectedFrame, RoomsFrame } from '@whisper/protocol';
import type { ChatStore } from './chat-store';

/** What the connection machine writes to IndexedDB as frames arrive. */
export type StoreCommand = StoreWrite & {
  /** The identity the connection is for: nothing is written once the device has passed to another (whileIdentity). */
  userId?: string;
};

type StoreWrite =
  /** M5: the user's rooms now, and the people in them. */
  | { type: 'STORE.ROOMS'; frame: RoomsFrame }
  /** P4, P6, E2: log entries, with the cursors they move and the rooms a round's `rooms` frame listed (and at which seq). */
  | { type: 'STORE.ENTRIES'; messages?: ChatMessage[]; events?: LogEvent[]; cursors: Record<string, number>; listed?: Record<string, number> }
  /** P6: a room's log is complete up to seq; `fresh` for a room new to this device. */
  | { type: 'STORE.SYNCED'; roomId: string; seq: number; fresh?: { hasOlder: boolean } }
  /** P3: acked messages and ops. */
  | { type: 'STORE.ACK'; frame: AckFrame }
  /** P7: refused messages and ops. */
  | { type: 'STORE.REJECTION'; frame: RejectedFrame }
  /** L3, L4: markers that moved. */
  | { type: 'STORE.RECEIPTS'; frame: ReceiptsFrame }
  /** L4: how far these rooms are stored, once every write before is done; answered with DELIVERY.STORED. */
  | { type: 'STORE.DELIVERED'; roomIds: string[] };

/** What the store writer tells the machine. */
export interface DeliveryStored {
  type: 'DELIVERY.STORED';
  cursors: Record<string, number>;
}

function run(store: ChatStore, command: StoreWrite, userId: string | undefined, sendBack: (event: DeliveryStored) => void): Promise<void> {
  switch (command.type) {
    case 'STORE.ROOMS':
      return store.storeRooms(command.frame);
    case 'STORE.ENTRIES':
      return store.storeEntries({ messages: command.messages, events: command.events }, command.cursors, command.listed);
    case 'STORE.SYNCED':
      return store.markSynced(command.roomId, command.seq, command.fresh);
    case 'STORE.ACK':
      return store.applyAck(command.frame);
    case 'STORE.REJECTION':
      return store.applyRejection(command.frame);
    case 'STORE.RECEIPTS':
      return store.storeReceipts(command.frame, userId);
    case 'STORE.DELIVERED':
      return store.storedCursors(command.roomIds).then((cursors) => sendBack({ type: 'DELIVERY.STORED', cursors }));
  }
}

/**
 * The one actor that writes what the socket brings. Each command starts its
 * transaction at once, in arrival order, over the same tables, so IndexedDB
 * applies them in that order (a room dropped by one frame is never restored
 * by an earlier one still running) without a queue of our own. A failed write
 * is logged, not thrown: an error here would stop the whole machine, and the
 * cursor it carried was not stored, so the next catch-up fetches it again.
 */
export const storeWriterActor = fromCallback<StoreCommand, { store: ChatStore }>(({ receive, input, sendBack }) => {
  receive((command) => {
    input.store.whileIdentity(command.userId, () => run(input.store, command, command.userId, sendBack)).catch((error: unknown) => console.error(`whisper: ${command.type} failed`, error));
  });
});
