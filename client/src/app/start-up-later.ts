/**
 * The chunk fetched once start-up has settled (deferred.tsx): what the first
 * screen does without.
 */
export { NotificationsPrompt } from '../features/notifications';
export { StorageNotice } from '../features/storage/storage-notice';
export { IdentityCard } from './identity-card';
export { OpenRoomListener } from './open-room-listener';
export { UpdatePrompt } from './update-prompt';
