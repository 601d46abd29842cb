import { useState } from 'react';
import { useEngine } from '../../shared/sync/engine-context';
import { ICON_BUTTON, PRIMARY_BUTTON, QUIET_BUTTON } from '../../shared/ui/buttons';
import { CloseIcon } from '../../shared/ui/icons';
import { PREVIEWS_KEY, readFlag } from './device-flags';
import { BLOCKED_HELP, turnOnFailureText } from './permission-help';
import { turnOn } from './push-subscription';

/**
 * N1: "Get notified of new messages?" [Turn on] [Not now]. The browser's
 * permission prompt comes only from the click. Either answer puts the
 * banner away for good on this device (onDone); a refusal first says how to
 * allow notifications later.
 */
export default function NotificationsBanner({ onDone }: { onDone: () => void }) {
  const engine = useEngine();
  const [state, setState] = useState<'asking' | 'busy' | 'blocked' | 'failed'>('asking');
  const [failure, setFailure] = useState('');

  async function accept() {
    setState('busy');
    try {
      const identity = await engine.store.getIdentity();
      if (!identity) throw new Error('no identity yet');
      const outcome = await turnOn({ token: identity.token, userId: identity.user_id }, readFlag(PREVIEWS_KEY));
      if (outcome === 'denied') setState('blocked');
      else onDone();
    } catch (error) {
      console.warn('whisper: turning notifications on failed', error);
      setFailure(`${turnOnFailureText(error)} Notifications can be turned on from your profile later.`);
      setState('failed');
    }
  }

  const text =
    state === 'blocked' ? BLOCKED_HELP : state === 'failed' ? failure : 'Get notified of new messages?';
  return (
    <aside
      aria-label="Notifications"
      className="flex shrink-0 flex-wrap items-center gap-2 border-b border-line bg-surface py-1.5 pr-1.5 pl-3 text-sm motion-safe:transition-opacity motion-safe:duration-300 motion-safe:starting:opacity-0 md:pl-4"
    >
      <p role="status" className="min-w-0 flex-1 text-pretty text-ink">
        {text}
      </p>
      {state === 'asking' || state === 'busy' ? (
        <div className="flex gap-1">
          <button type="button" className={QUIET_BUTTON} onClick={onDone} disabled={state === 'busy'}>
            Not now
          </button>
          <button type="button" className={PRIMARY_BUTTON} onClick={() => void accept()} disabled={state === 'busy'}>
            Turn on
          </button>
        </div>
      ) : (
        <button type="button" aria-label="Close" className={ICON_BUTTON} onClick={onDone}>
          <CloseIcon className="size-4" />
        </button>
      )}
    </aside>
  );
}
