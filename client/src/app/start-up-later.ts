/**
 * The chunk fetched once start-up has settled (deferred.tsx): what the first
 * screen does without.
 */
export { SearchButton } from '../features/search';
export { SearchHost } from '../features/search/search-host';
export { StorageNotice } from '../features/storage/storage-notice';
export { IdentityCard } from './identity-card';
export { Notifications } from './notifications';
export { UpdatePrompt } from './update-prompt';
