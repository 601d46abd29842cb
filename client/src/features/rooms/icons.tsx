/**
 * The rooms feature's icons on the first screen (the sidebar's buttons, the
 * room bar's details button), drawn in the shared 24×24 stroke frame. Those
 * only its dialogs draw are in components/dialog-icons.tsx, so they load
 * with the dialogs instead of with the first screen.
 */
import { SvgIcon, type IconProps } from '../../shared/ui/icons';

export function PlusIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <path d="M12 5v14M5 12h14" />
    </SvgIcon>
  );
}

/** Browsing public rooms. */
export function CompassIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <circle cx="12" cy="12" r="9" />
      <path d="M15.5 8.5l-2 5-5 2 2-5z" />
    </SvgIcon>
  );
}

/** The room details button. */
export function InfoIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 11v5.5M12 7.5h.01" />
    </SvgIcon>
  );
}
