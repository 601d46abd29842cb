import type { TimelineItem, TimelineNotice } from '../../../shared/sync/timeline';

export const OWN_USER = '8d83c1e2-0b5f-4c6e-9a51-0f3c2d1e4b7a';
export const OTHER_USER = '3fa9b2c4-71d0-4e8a-b6f3-2c5d9e0a1b44';

let counter = 0;

/** A message entry for tests; own items default to `sent`; others are from "Ana Park" (teal). */
export function makeItem(overrides: Partial<TimelineItem> = {}): TimelineItem {
  counter += 1;
  const own = overrides.own ?? false;
  const clientId = overrides.clientId !== undefined ? overrides.clientId : own ? `01J0CLIENT${String(counter).padStart(6, '0')}` : null;
  return {
    kind: 'message',
    senderName: own ? 'You' : 'Ana Park',
    senderColor: 'teal',
    senderAvatar: null,
    key: overrides.key ?? clientId ?? `server-${counter}`,
    id: `01J0SERVER${String(counter).padStart(6, '0')}`,
    clientId,
    seq: counter,
    userId: own ? OWN_USER : OTHER_USER,
    content: `message ${counter}`,
    createdAt: new Date().toISOString(),
    own,
    status: own ? 'sent' : null,
    receipt: null,
    readBy: [],
    error: null,
    retryable: overrides.status === 'failed',
    replyTo: null,
    editedAt: null,
    deleted: false,
    reactions: [],
    pendingAction: null,
    actionFailures: [],
    attachments: [],
    ...overrides,
  };
}

/** A membership notice for tests (M4). */
export function makeNotice(overrides: Partial<TimelineNotice> = {}): TimelineNotice {
  counter += 1;
  return { kind: 'notice', key: `notice-${counter}`, seq: counter, text: 'Ana joined', createdAt: new Date().toISOString(), pending: false, ...overrides };
}
