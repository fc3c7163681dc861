import { useEffect, useMemo, useState } from 'preact/hooks';
import { makeApi } from './api/client';
import { forgetToken, readToken, saveToken } from './auth';
import { href, parseRoute, type Route } from './route';
import { ChargersView } from './views/chargers';
import { EntityView } from './views/entity';
import { FleetView } from './views/fleet';
import { SessionView } from './views/session';
import { SignIn } from './views/sign-in';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => {
      setRoute(parseRoute(window.location.hash));
      document.getElementById('main')?.focus();
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function App({ baseUrl }: { baseUrl: string }) {
  const [token, setToken] = useState(readToken);
  const [refused, setRefused] = useState<string>();
  const route = useRoute();
  const api = useMemo(
    () =>
      makeApi({
        baseUrl,
        token: readToken,
        onUnauthorized: () => {
          forgetToken();
          setToken(null);
          setRefused('The API refused the token: it is unknown, expired or revoked. Enter a valid token.');
        },
      }),
    [baseUrl],
  );
  // One clock per page view, so every figure on it agrees on "now".
  const now = useMemo(() => new Date(), [route]);

  if (!token)
    return (
      <main id="main" tabIndex={-1}>
        <SignIn
          reason={refused}
          onToken={(value) => {
            saveToken(value);
            setRefused(undefined);
            setToken(value);
          }}
        />
      </main>
    );

  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">evsessions</span>
        <nav aria-label="Views">
          <a href={href.fleet()} aria-current={route.view === 'fleet' ? 'page' : undefined}>
            Fleet
          </a>
          <a href={href.chargers()} aria-current={route.view === 'chargers' ? 'page' : undefined}>
            Chargers
          </a>
        </nav>
        <button
          type="button"
          onClick={() => {
            forgetToken();
            setRefused(undefined);
            setToken(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.view === 'fleet' && <FleetView api={api} now={now} />}
        {route.view === 'chargers' && <ChargersView api={api} />}
        {route.view === 'entity' && <EntityView api={api} entityId={route.entityId} now={now} />}
        {route.view === 'session' && (
          <SessionView api={api} entityId={route.entityId} sessionId={route.sessionId} at={route.at} />
        )}
        {route.view === 'unknown' && (
          <p>
            No such page. <a href={href.fleet()}>Go to the fleet</a>.
          </p>
        )}
      </main>
    </>
  );
}
