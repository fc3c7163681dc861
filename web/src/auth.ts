// The bearer token lives in sessionStorage only: never in a URL the server sees, a cookie or a log. The
// demo link carries it in the fragment (#token=…), which browsers never send; we move it out at once.

const KEY = 'evsessions.token';

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** Takes a `#token=…` fragment into sessionStorage and clears it from the address bar and history entry. */
export function takeTokenFromFragment(location: Location, history: History): boolean {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return false;
  saveToken(decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  return true;
}
