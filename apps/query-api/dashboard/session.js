// The sign-in both pages share: the key comes from the form only and stays in this tab's
// session storage; a key in the address bar would end up in history and server logs.

import { ApiError } from './api.js';

export const KEY_STORAGE = 'soc.apiKey';

/** Shows the sign-in form (main hidden); `onKey` gets the key once submitted. */
export function showLogin(onKey, message = '') {
  document.querySelector('main').hidden = true;
  const login = document.querySelector('[data-testid=login]');
  login.hidden = false;
  login.querySelector('[data-testid=login-error]').textContent = message;
  login.querySelector('form').onsubmit = (event) => {
    event.preventDefault();
    const key = new FormData(event.target).get('key').trim();
    sessionStorage.setItem(KEY_STORAGE, key);
    onKey(key);
  };
}

/** After a failed sign-in: forgets the key and asks for one again, saying why. */
export function retryLogin(onKey, error) {
  sessionStorage.removeItem(KEY_STORAGE);
  showLogin(
    onKey,
    error instanceof ApiError && error.status === 401
      ? 'That key is unknown or revoked.'
      : String(error.message ?? error),
  );
}

/** Signed in: hides the sign-in form and shows the page. */
export function showMain() {
  document.querySelector('[data-testid=login]').hidden = true;
  document.querySelector('main').hidden = false;
}
