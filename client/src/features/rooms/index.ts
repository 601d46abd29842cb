/**
 * The rooms feature as the app composes it: the sidebar's list (loaded
 * lazily: loadRoomList) and buttons, and the room header's details button.
 * Everything else in the folder is its own business (and its dialogs are
 * loaded lazily from these).
 */
export { BrowseRoomsButton } from './browse-rooms-button';
export { NewRoomButton } from './new-room-button';
export { loadRoomList } from './preload';
export { RoomDetailsButton } from './room-details-button';
export { roomPath, ROOM_PATH_PATTERN } from './room-path';
