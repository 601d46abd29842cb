/** The chat's own icons, drawn in the shared 24×24 stroke frame (the ones other features use too live in shared/ui/icons.tsx). */
import { SvgIcon as Svg, type IconProps } from '../../../shared/ui/icons';

export function CheckIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M5 12.5l4.5 4.5L19 7.5" />
    </Svg>
  );
}

/** L4: delivered / read: two ticks. */
export function DoubleCheckIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M2 12.5l4.5 4.5L16 7.5" />
      <path d="M11.5 16l1 1L22 7.5" />
    </Svg>
  );
}

export function SendIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M21.5 2.5L10.5 13.5" />
      <path d="M21.5 2.5l-7 19-4-8-8-4 19-7z" />
    </Svg>
  );
}

export function ArrowDownIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M12 5v14" />
      <path d="M6 13l6 6 6-6" />
    </Svg>
  );
}

export function ChatBubblesIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M21 12a8 8 0 01-11.6 7.1L4 20.5l1.4-4.6A8 8 0 1121 12z" />
      <path d="M8.5 12h.01M12 12h.01M15.5 12h.01" />
    </Svg>
  );
}

export function PaperclipIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M21 11.5l-8.6 8.6a5.5 5.5 0 01-7.8-7.8l8.6-8.6a3.7 3.7 0 015.2 5.2l-8.6 8.6a1.8 1.8 0 01-2.6-2.6l7.9-7.9" />
    </Svg>
  );
}
