import { memo } from 'react';
import { typingText } from '../../../shared/sync/typing';

/**
 * L2: "Ana is typing…" above the composer. The region is always there (a
 * polite live region that appears with its text is not announced by every
 * screen reader) and takes no room while nobody types. Not role=status: the
 * connection indicator is the page's status.
 */
export const TypingIndicator = memo(function TypingIndicator({ names }: { names: readonly string[] }) {
  const text = typingText(names);
  return (
    <div aria-live="polite" data-typing="" className="px-5 text-xs text-slate-600 italic dark:text-slate-300">
      {text && <p className="truncate pb-1">{text}</p>}
    </div>
  );
});
