import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { decideUnsent, type SwitchKind, type UnsentChoice } from '../../shared/sync/account';
import { useEngine } from '../../shared/sync/engine-context';
import { useMe } from '../../shared/sync/people';
import { dropPushSubscription } from '../../shared/sync/push-device';
import { useAccount, useUnsentOfMine } from '../../shared/sync/use-account';
import { useLinkStatus } from '../../shared/sync/use-link-status';
import { DANGER_QUIET_BUTTON, OUTLINE_BUTTON, PRIMARY_BUTTON, QUIET_BUTTON } from '../../shared/ui/buttons';
import { Modal } from '../../shared/ui/dialog';
import { TEXT_FIELD } from '../../shared/ui/fields';
import { CredentialsForm } from './credentials-form';
import { errorsFromServer } from './error-text';
import { ProfilePhoto } from './profile-photo';
import { UnsentWarning } from './unsent-warning';

export type SheetView = 'profile' | 'signup' | 'login';

export interface AccountSheetProps {
  open: boolean;
  onClose: () => void;
  /** Where it opens: the profile, or straight at "Create account" (the nudge). */
  initialView?: SheetView;
  /** More of the profile, composed by the app (the notification settings), below the display name. */
  settings?: ReactNode;
}

/** What waits behind the unsent-work warning. */
type Pending = { kind: 'login' } | { kind: 'logout'; everywhere: boolean };

const TITLES: Record<SheetView, string> = { profile: 'Your profile', signup: 'Create an account', login: 'Log in' };

/**
 * The profile sheet (A5) and the account forms (A1, A2, A4) in one dialog:
 * the display name and photo, the username if any, and creating an account, logging
 * in or out. Leaving the identity with unsent work asks first (UnsentWarning).
 */
export function AccountSheet({ open, onClose, initialView = 'profile', settings }: AccountSheetProps) {
  const engine = useEngine();
  const account = useAccount();
  const unsentRead = useUnsentOfMine();
  const known = unsentRead !== undefined;
  const unsent = unsentRead ?? 0;
  const link = useLinkStatus();
  const online = !link.offline && !link.unreachable;
  const [view, setView] = useState<SheetView>(initialView);
  const [pending, setPending] = useState<Pending | null>(null);
  const [waiting, setWaiting] = useState(false);
  /** Logging in after the warning was answered: no second warning. */
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const anonymous = account?.username == null;
  const name = account?.username ?? 'you';

  // The username as the server has it (another device may have signed up).
  useEffect(() => {
    void engine.account.me().catch(() => undefined);
  }, [engine]);

  async function logOut(everywhere: boolean) {
    setBusy(everywhere ? 'Logging out everywhere…' : 'Logging out…');
    try {
      await dropPushSubscription();
      await engine.account.logOut({ everywhere });
    } catch (error) {
      setBusy(null);
      setNotice(errorsFromServer(error).form ?? null);
    }
  }

  function proceed(next: Pending) {
    setPending(null);
    setWaiting(false);
    if (next.kind === 'login') {
      setConfirmed(true);
      setView('login');
    } else void logOut(next.everywhere);
  }

  function start(next: Pending) {
    const kind: SwitchKind = next.kind;
    // Not read yet: the warning waits for the count, and goes on by itself if it is 0.
    if (!known || decideUnsent(kind, unsent, { online, anonymous }).warn) {
      setPending(next);
      return;
    }
    proceed(next);
  }

  // "Wait until sent" goes on by itself once this identity's work is out
  // (and so does a warning whose work went out while it was read: what the
  // user asked for is then safe to do).
  const proceedRef = useRef(proceed);
  useEffect(() => {
    proceedRef.current = proceed;
  });
  useEffect(() => {
    if (pending && known && unsent === 0) proceedRef.current(pending);
  }, [pending, known, unsent]);

  function choose(choice: UnsentChoice) {
    if (!pending) return;
    if (choice === 'wait') setWaiting(true);
    else if (choice === 'create-account') {
      setPending(null);
      setWaiting(false);
      setView('signup');
    } else proceed(pending);
  }

  const decision = pending ? decideUnsent(pending.kind, Math.max(unsent, 1), { online, anonymous }) : null;
  const title = pending ? (pending.kind === 'login' ? 'Before you log in' : 'Before you log out') : TITLES[view];

  let body;
  if (busy) {
    body = (
      <p role="status" className="py-6 text-center text-sm text-ink-muted">
        {busy}
      </p>
    );
  } else if (pending && decision) {
    body = (
      <UnsentWarning
        decision={{ ...decision, count: unsent }}
        anonymous={anonymous}
        name={name}
        waiting={waiting}
        onChoose={choose}
        onCancel={() => {
          setPending(null);
          setWaiting(false);
        }}
      />
    );
  } else if (view === 'signup') {
    body = (
      <CredentialsForm
        key="signup"
        mode="signup"
        intro={
          account?.userId
            ? 'Your chats, messages and anything still unsent stay as they are: this identity becomes your account, and you can log in to it on your other devices.'
            : 'Log in to it on your other devices to keep your chats everywhere.'
        }
        onSubmit={async (username, password) => {
          await engine.account.signUp(username, password);
          setNotice(`Account created. You’re logged in as ${username.toLowerCase()}.`);
          setView('profile');
        }}
        onSwitchMode={() => (anonymous ? start({ kind: 'login' }) : setView('login'))}
      />
    );
  } else if (view === 'login') {
    body = (
      <CredentialsForm
        key="login"
        mode="login"
        intro={anonymous ? 'This device then shows that account’s chats instead of the ones you have here.' : undefined}
        onSubmit={async (username, password) => {
          if (!confirmed && decideUnsent('login', unsent, { online, anonymous }).warn) {
            setPending({ kind: 'login' });
            return;
          }
          // The form says "Logging in…" meanwhile, and shows a refusal beside its fields.
          const { switched } = await engine.account.logIn(username, password);
          if (!switched) {
            setNotice(`You’re logged in as ${username.toLowerCase()}.`);
            setView('profile');
          }
        }}
        onSwitchMode={anonymous ? () => setView('signup') : undefined}
      />
    );
  } else {
    body = (
      <Profile
        username={account?.username ?? null}
        online={online}
        notice={notice}
        settings={settings}
        onCreateAccount={() => setView('signup')}
        onLogIn={() => start({ kind: 'login' })}
        onLogOut={(everywhere) => start({ kind: 'logout', everywhere })}
      />
    );
  }

  return (
    <Modal open={open} onClose={onClose} title={title}>
      {body}
    </Modal>
  );
}

interface ProfileProps {
  username: string | null;
  online: boolean;
  notice: string | null;
  settings?: ReactNode;
  onCreateAccount: () => void;
  onLogIn: () => void;
  onLogOut: (everywhere: boolean) => void;
}

function Profile({ username, online, notice, settings, onCreateAccount, onLogIn, onLogOut }: ProfileProps) {
  const { profile } = useMe();
  return (
    <div className="flex flex-col gap-5">
      <p role="status" className="rounded-lg bg-surface-muted px-3 py-2 text-sm empty:hidden">
        {notice}
      </p>
      <div className="flex items-center gap-3">
        <div className="min-w-0">
          <p className="truncate font-medium">{profile?.display_name ?? '…'}</p>
          <p className="truncate text-sm text-ink-muted">{username ? `Username: ${username}` : 'Anonymous: no account yet'}</p>
        </div>
      </div>
      {profile && <ProfilePhoto profile={profile} online={online} />}
      {profile && <DisplayNameForm key={profile.display_name} current={profile.display_name} />}
      {settings}
      {username ? (
        <div className="flex flex-col gap-2 border-t border-line pt-4">
          {!online && (
            <p className="text-xs text-ink-muted">
              You’re offline. Logging out now logs this device out at once; the server is told the next time the app reaches it.
            </p>
          )}
          <button type="button" onClick={() => onLogOut(false)} className={`${OUTLINE_BUTTON} min-h-11`}>
            Log out
          </button>
          <button type="button" onClick={() => onLogOut(true)} className={DANGER_QUIET_BUTTON}>
            Log out everywhere
          </button>
          <button type="button" onClick={onLogIn} className={QUIET_BUTTON}>
            Log in as someone else
          </button>
        </div>
      ) : (
        <div className="flex flex-col gap-2 border-t border-line pt-4">
          <p className="text-sm text-ink-muted">An account keeps your chats on your other devices. Everything you have here stays.</p>
          <button type="button" onClick={onCreateAccount} className={`${PRIMARY_BUTTON} min-h-11`}>
            Create account
          </button>
          <button type="button" onClick={onLogIn} className={QUIET_BUTTON}>
            I have an account: log in
          </button>
        </div>
      )}
    </div>
  );
}

/** A5: the name others see; saved on the server (PATCH /v1/me), so it needs a connection. */
function DisplayNameForm({ current }: { current: string }) {
  const engine = useEngine();
  const id = useId();
  const [name, setName] = useState(current);
  const [state, setState] = useState<{ busy: boolean; error?: string; saved?: boolean }>({ busy: false });
  async function save(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return setState({ busy: false, error: 'Enter a name.' });
    if (trimmed === current) return;
    setState({ busy: true });
    try {
      await engine.account.setDisplayName(trimmed);
      setState({ busy: false, saved: true });
    } catch (error) {
      setState({ busy: false, error: errorsFromServer(error).form });
    }
  }
  return (
    <form onSubmit={save} className="flex flex-col gap-1.5">
      <label htmlFor={`${id}-name`} className="text-sm font-medium">
        Display name
      </label>
      <div className="flex gap-2">
        <input
          id={`${id}-name`}
          name="display_name"
          autoComplete="nickname"
          maxLength={64}
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={state.error ? true : undefined}
          aria-describedby={state.error ? `${id}-name-error` : undefined}
          className={TEXT_FIELD}
        />
        <button type="submit" disabled={state.busy || name.trim() === current} className={`${OUTLINE_BUTTON} min-h-11 shrink-0`}>
          Save
        </button>
      </div>
      {state.error && (
        <p id={`${id}-name-error`} className="text-sm text-red-700 dark:text-red-300">
          {state.error}
        </p>
      )}
    </form>
  );
}
