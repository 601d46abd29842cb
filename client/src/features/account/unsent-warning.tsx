import type { UnsentChoice, UnsentDecision } from '../../shared/sync/account';
import { DANGER_BUTTON, OUTLINE_BUTTON, PRIMARY_BUTTON, QUIET_BUTTON } from '../../shared/ui/buttons';
import { WarningIcon } from '../../shared/ui/icons';

export interface UnsentWarningProps {
  decision: UnsentDecision;
  /** Anonymous identities' work can only be sent once they have an account (A1). */
  anonymous: boolean;
  /** Who the work waits for, when the identity has an account. */
  name: string;
  waiting: boolean;
  onChoose: (choice: UnsentChoice) => void;
  onCancel: () => void;
}

const plural = (count: number) => (count === 1 ? '1 message you wrote hasn’t' : `${count} messages you wrote haven’t`);

/**
 * A4: asked before this identity leaves the device with work it has not
 * sent. Waiting goes on by itself once the count reaches 0; it needs a
 * connection, and says so when there is none.
 */
export function UnsentWarning({ decision, anonymous, name, waiting, onChoose, onCancel }: UnsentWarningProps) {
  const { count, choices, canWait } = decision;
  return (
    <div className="flex flex-col gap-4">
      <div role="alert" className="flex gap-3 rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-500/40 dark:bg-amber-500/10 dark:text-amber-100">
        <WarningIcon className="mt-0.5 size-5 shrink-0" />
        <p>
          <strong className="font-semibold">{plural(count)} been sent yet.</strong>
          {choices.includes('discard') && ' Logging out deletes them from this device.'}
          {choices.includes('login-anyway') &&
            (anonymous
              ? ' Without an account for this identity first, they can never be sent: nobody can log in as it again.'
              : ` They stay on this device and are sent when ${name} logs in here again.`)}
        </p>
      </div>
      <div className="flex flex-col gap-2">
        <button type="button" onClick={() => onChoose('wait')} disabled={!canWait || waiting} aria-describedby={canWait ? undefined : 'wait-offline'} className={`${PRIMARY_BUTTON} min-h-11`}>
          {waiting ? `Waiting… ${count} left` : 'Wait until sent'}
        </button>
        {!canWait && (
          <p id="wait-offline" className="text-xs text-ink-muted">
            You’re offline: they can only be sent once you’re back online.
          </p>
        )}
        {choices.includes('create-account') && (
          <button type="button" onClick={() => onChoose('create-account')} className={`${OUTLINE_BUTTON} min-h-11`}>
            Create an account for this identity first
          </button>
        )}
        {choices.includes('login-anyway') && (
          <button type="button" onClick={() => onChoose('login-anyway')} className={`${OUTLINE_BUTTON} min-h-11`}>
            {anonymous ? 'Log in anyway (they can’t be sent)' : 'Log in anyway'}
          </button>
        )}
        {choices.includes('discard') && (
          <button type="button" onClick={() => onChoose('discard')} className={`${DANGER_BUTTON} min-h-11`}>
            Log out and discard them
          </button>
        )}
        <button type="button" onClick={onCancel} className={QUIET_BUTTON}>
          Cancel
        </button>
      </div>
    </div>
  );
}
