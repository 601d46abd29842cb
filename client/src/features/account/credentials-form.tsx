import { useId, useState, type FormEvent } from 'react';
import { PRIMARY_BUTTON, QUIET_BUTTON } from '../../shared/ui/buttons';
import { TEXT_FIELD } from '../../shared/ui/fields';
import { checkCredentials, errorsFromServer, type FormErrors } from './error-text';

export interface CredentialsFormProps {
  mode: 'signup' | 'login';
  /** Sends the credentials; throws the server's refusal (shown inline). */
  onSubmit: (username: string, password: string) => Promise<void>;
  /** The other form ("Log in instead" / "Create an account instead"). */
  onSwitchMode?: () => void;
  /** A line above the fields (what signing up keeps). */
  intro?: string;
}

/**
 * Sign up or log in: one column, labelled fields with the autocomplete
 * names password managers look for, errors beside the field they concern,
 * submit on Enter, disabled while the request runs. A real <form> with
 * named inputs, so managers can fill and save it.
 */
export function CredentialsForm({ mode, onSubmit, onSwitchMode, intro }: CredentialsFormProps) {
  const id = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({});
  const signup = mode === 'signup';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const found = checkCredentials(mode, username, password);
    setErrors(found);
    if (found.username || found.password) return;
    setBusy(true);
    try {
      await onSubmit(username.trim(), password);
    } catch (error) {
      setErrors(errorsFromServer(error));
    } finally {
      setBusy(false);
    }
  }

  const usernameError = `${id}-username-error`;
  const passwordError = `${id}-password-error`;
  const passwordHint = `${id}-password-hint`;
  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-busy={busy}>
      {intro && <p className="text-sm text-ink-muted">{intro}</p>}
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${id}-username`} className="text-sm font-medium">
          Username
        </label>
        <input
          id={`${id}-username`}
          name="username"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          required
          data-autofocus
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          aria-invalid={errors.username ? true : undefined}
          aria-describedby={errors.username ? usernameError : undefined}
          className={TEXT_FIELD}
        />
        {errors.username && (
          <p id={usernameError} className="text-sm text-red-700 dark:text-red-300">
            {errors.username}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${id}-password`} className="text-sm font-medium">
          Password
        </label>
        <div className="flex gap-2">
          <input
            id={`${id}-password`}
            name="password"
            type={shown ? 'text' : 'password'}
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            minLength={signup ? 8 : undefined}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={[errors.password ? passwordError : '', signup ? passwordHint : ''].filter(Boolean).join(' ') || undefined}
            className={TEXT_FIELD}
          />
          <button type="button" aria-pressed={shown} onClick={() => setShown((s) => !s)} className={`${QUIET_BUTTON} min-h-11 shrink-0`}>
            {shown ? 'Hide' : 'Show'}
            <span className="sr-only"> password</span>
          </button>
        </div>
        {signup && (
          <p id={passwordHint} className="text-xs text-ink-muted">
            At least 8 characters, not a common password, not your username.
          </p>
        )}
        {errors.password && (
          <p id={passwordError} className="text-sm text-red-700 dark:text-red-300">
            {errors.password}
          </p>
        )}
      </div>
      <p role="alert" className="text-sm text-red-700 empty:hidden dark:text-red-300">
        {errors.form}
      </p>
      <button type="submit" disabled={busy} className={`${PRIMARY_BUTTON} min-h-11`}>
        {busy ? (signup ? 'Creating account…' : 'Logging in…') : signup ? 'Create account' : 'Log in'}
      </button>
      {onSwitchMode && (
        <button type="button" onClick={onSwitchMode} className={QUIET_BUTTON}>
          {signup ? 'I have an account: log in' : 'New here? Create an account'}
        </button>
      )}
    </form>
  );
}
