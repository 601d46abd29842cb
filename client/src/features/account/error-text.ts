import { ErrorCode, USERNAME_PATTERN } from '@whisper/protocol';

/** Where an error shows in a sign-up or login form: beside a field, or above the button. */
export interface FormErrors {
  username?: string;
  password?: string;
  form?: string;
}

const USERNAME_RULE = '3 to 32 characters: letters a–z, digits 0–9 or _.';
const usernameOk = new RegExp(USERNAME_PATTERN);

/** What the form can say before asking the server. */
export function checkCredentials(mode: 'signup' | 'login', username: string, password: string): FormErrors {
  const errors: FormErrors = {};
  if (username.trim() === '') errors.username = 'Enter a username.';
  else if (mode === 'signup' && !usernameOk.test(username)) errors.username = `Usernames are ${USERNAME_RULE}`;
  if (password === '') errors.password = 'Enter a password.';
  else if (mode === 'signup' && password.length < 8) errors.password = 'Use at least 8 characters.';
  return errors;
}

/** The server's refusal (account-api's AccountApiError: status, code, message) as the form says it. */
export function errorsFromServer(error: unknown): FormErrors {
  const { status, code, message, retryAfter } = (error ?? {}) as { status?: number; code?: string; message?: string; retryAfter?: number };
  switch (code) {
    case ErrorCode.UsernameTaken:
      return { username: 'That username is taken. Try another.' };
    case ErrorCode.InvalidRequest:
      return { username: `Usernames are ${USERNAME_RULE}` };
    case ErrorCode.WeakPassword:
      return { password: `Choose a stronger password: ${message ?? 'this one is too easy to guess'}.` };
    case ErrorCode.InvalidCredentials:
      return { form: 'Wrong username or password.' };
    case ErrorCode.RateLimited:
      return { form: `Too many attempts. Try again${retryAfter ? ` in ${Math.ceil(retryAfter / 60)} min` : ' later'}.` };
    case ErrorCode.Conflict:
      return { form: 'This identity already has an account. Log out to create another.' };
  }
  if (status === 0) return { form: 'Can’t reach the server. Check your connection and try again.' };
  return { form: 'Something went wrong on the server. Try again in a moment.' };
}

/** A5: why a profile picture was not saved, in the sheet's words. */
export function avatarErrorText(error: unknown): string {
  const { status, code } = (error ?? {}) as { status?: number; code?: string };
  if (status === 0) return 'Can’t reach the server. Your photo was not changed; try again when you’re online.';
  if (code === ErrorCode.TooLarge) return 'This picture is too large. Choose a smaller one.';
  if (code === ErrorCode.UnsupportedMedia) return 'This file is not a picture the app can use. Choose a JPEG, PNG, WebP or GIF.';
  if (code === ErrorCode.RateLimited) return 'Too many changes. Try again in a moment.';
  return 'Something went wrong on the server. Your photo was not changed; try again in a moment.';
}
