import { describe, expect, it } from 'vitest';
import { checkCredentials, errorsFromServer } from './error-text';

describe('account form errors', () => {
  it('[A1] a username outside 3–32 of a-z 0-9 _ is said beside the field before asking the server', () => {
    expect(checkCredentials('signup', 'no', 'long enough password').username).toMatch(/3 to 32/);
    expect(checkCredentials('signup', 'spaces here', 'long enough password').username).toMatch(/3 to 32/);
    expect(checkCredentials('signup', 'fine_name', 'long enough password')).toEqual({});
  });

  it('[A3] passwords under 8 characters are refused on sign-up only (login says nothing about rules)', () => {
    expect(checkCredentials('signup', 'fine_name', 'short').password).toMatch(/8 characters/);
    expect(checkCredentials('login', 'fine_name', 'short')).toEqual({});
  });

  it('[A1][A3] the server’s codes land beside the field they concern, or above the button', () => {
    expect(errorsFromServer({ status: 409, code: 'username_taken' })).toEqual({ username: expect.stringMatching(/taken/) });
    expect(errorsFromServer({ status: 400, code: 'weak_password', message: 'it contains the username' }).password).toMatch(/it contains the username/);
    expect(errorsFromServer({ status: 401, code: 'invalid_credentials' })).toEqual({ form: 'Wrong username or password.' });
    expect(errorsFromServer({ status: 429, code: 'rate_limited', retryAfter: 600 }).form).toMatch(/10 min/);
    expect(errorsFromServer({ status: 409, code: 'conflict' }).form).toMatch(/already has an account/);
    expect(errorsFromServer({ status: 0, code: 'unreachable' }).form).toMatch(/Can’t reach the server/);
  });
});
