/** Icons only the rooms dialogs draw (loaded with them; see ../icons.tsx). */
import { SvgIcon, type IconProps } from '../../../shared/ui/icons';

/** One person (a DM whose partner is not loaded yet, the member picker). */
export function PersonIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21a8 8 0 0116 0" />
    </SvgIcon>
  );
}

export function PencilIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <path d="M4 20h4L19 9a2.8 2.8 0 00-4-4L4 16z" />
      <path d="M13.5 6.5l4 4" />
    </SvgIcon>
  );
}

export function PersonAddIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <circle cx="10" cy="8" r="4" />
      <path d="M2.5 21a7.5 7.5 0 0113.5-4.5M19 14v6M16 17h6" />
    </SvgIcon>
  );
}

/** Leaving a room: out of the door. */
export function LeaveIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <path d="M10 4H6a2 2 0 00-2 2v12a2 2 0 002 2h4" />
      <path d="M15 8l4 4-4 4M19 12H9" />
    </SvgIcon>
  );
}
