import { SvgIcon } from '../shared/ui/icons';

/** The shell's menu icon; decorative, so the button carries the accessible name. */
export function MenuIcon() {
  return (
    <SvgIcon className="size-6">
      <path d="M4 7h16M4 12h16M4 17h10" />
    </SvgIcon>
  );
}
