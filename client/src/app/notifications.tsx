import { NotificationsPrompt } from '../features/notifications';
import { useOpenRoomFromNotifications } from './open-room-listener';

/** N1 once start-up is over: the opt-in banner, and a clicked notification's room opened in this window. */
export function Notifications() {
  useOpenRoomFromNotifications();
  return <NotificationsPrompt />;
}
