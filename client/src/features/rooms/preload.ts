/**
 * The rooms feature's lazily loaded parts: the dialogs and the details panel
 * (with Headless UI), and the room list, kept out of the first screen's
 * JavaScript. Each loader
 * resolves with the component, for React.lazy (use-lazy-dialog.ts).
 */
export const loadNewRoomDialog = () => import('./new-room-dialog.container').then((module) => module.NewRoomDialogContainer);
export const loadBrowseRooms = () => import('./browse-rooms.container').then((module) => module.BrowseRoomsContainer);
export const loadRoomDetails = () => import('./room-details.container').then((module) => module.RoomDetailsContainer);
/**
 * The sidebar's room list: the app fetches it at once where the list is on
 * screen (a desktop, a phone's home), and once start-up has settled where it
 * is not (a phone opened on a room).
 */
export const loadRoomList = () => import('./room-list.container').then((module) => module.RoomListContainer);

