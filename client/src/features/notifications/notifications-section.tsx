import { useEffect, useId, useState } from 'react';
import { useEngine } from '../../shared/sync/engine-context';
import { WarningIcon } from '../../shared/ui/icons';
import { PREVIEWS_KEY, PROMPT_ANSWERED_KEY, readFlag, writeFlag } from './device-flags';
import { BLOCKED_HELP, turnOnFailureText } from './permission-help';
import { pushState, setPreviews, turnOff, turnOn, type PushState } from './push-subscription';
import { Switch } from '../../shared/ui/switch';

/** A labelled on/off switch. */
function Toggle({ label, on, disabled, onChange }: { label: string; on: boolean; disabled?: boolean; onChange: (on: boolean) => void }) {
  const id = useId();
  return (
    <div className="flex min-h-11 items-center justify-between gap-3">
      <span id={id} className={`text-sm ${disabled ? 'text-ink-muted' : 'text-ink'}`}>
        {label}
      </span>
      <Switch on={on} labelledBy={id} disabled={disabled} onChange={onChange} />
    </div>
  );
}

/**
 * N1, N2: the account sheet's Notifications section: notifications on this
 * device (the browser's permission, a push subscription posted to the
 * server) and whether they show the start of each message. Hidden where the
 * browser has no Web Push; a blocked permission says how to allow it.
 */
export default function NotificationsSection() {
  const engine = useEngine();
  const [state, setState] = useState<PushState | null>(null);
  const [previews, setPreviewsShown] = useState(() => readFlag(PREVIEWS_KEY));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    pushState()
      .then((found) => current && setState(found))
      .catch(() => current && setState('unsupported'));
    return () => {
      current = false;
    };
  }, []);

  if (state === null || state === 'unsupported') return null;

  async function act(work: (identity: { token: string; userId: string }) => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      const identity = await engine.store.getIdentity();
      if (!identity) throw new Error('no identity yet');
      await work({ token: identity.token, userId: identity.user_id });
    } catch (failure) {
      console.warn('whisper: changing notifications failed', failure);
      setError(turnOnFailureText(failure));
    } finally {
      setBusy(false);
    }
  }

  const switchDevice = (on: boolean) =>
    act(async (identity) => {
      if (on) {
        const outcome = await turnOn(identity, previews);
        // Answered here: the banner has nothing left to offer.
        writeFlag(PROMPT_ANSWERED_KEY, true);
        setState(outcome);
      } else {
        await turnOff(identity.token);
        setState('off');
      }
    });

  const switchPreviews = (on: boolean) =>
    act(async ({ token }) => {
      if (state === 'on') await setPreviews(token, on);
      writeFlag(PREVIEWS_KEY, on);
      setPreviewsShown(on);
    });

  return (
    <section aria-labelledby="notifications-heading" className="flex flex-col gap-1 border-t border-line pt-4">
      <h3 id="notifications-heading" className="text-sm font-medium">
        Notifications
      </h3>
      <Toggle label="Notifications on this device" on={state === 'on'} disabled={busy || state === 'denied'} onChange={(on) => void switchDevice(on)} />
      <Toggle label="Show message previews" on={previews} disabled={busy || state === 'denied'} onChange={(on) => void switchPreviews(on)} />
      {state === 'denied' && (
        <p className="flex gap-2 text-xs text-ink-muted">
          <WarningIcon className="size-4 shrink-0" />
          {BLOCKED_HELP}
        </p>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </section>
  );
}
