import { SvgIcon, type IconProps } from './icons';

/**
 * Search (the magnifier): the search fields and the buttons that open
 * message search. A module of its own, so it stays out of the first
 * screen's icons: nothing there searches.
 */
export function SearchIcon(props: IconProps) {
  return (
    <SvgIcon {...props}>
      <circle cx="11" cy="11" r="7" />
      <path d="M20 20l-3.5-3.5" />
    </SvgIcon>
  );
}
