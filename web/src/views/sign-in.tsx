import { useState } from 'preact/hooks';

export function SignIn({
  reason,
  onToken,
}: {
  reason: string | undefined;
  onToken: (token: string) => void;
}) {
  const [token, setToken] = useState('');
  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      {reason && (
        <p class="error" role="alert">
          {reason}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          placeholder="evs_…"
          required
        />
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        The token stays in this browser tab (session storage) and is sent only to the API. Locally,{' '}
        <code>npm start</code> prints one and a link that signs you in; otherwise <code>npm run token</code>{' '}
        issues one.
      </p>
    </section>
  );
}
