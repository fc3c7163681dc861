import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';

export type Async<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'error'; error: unknown; retry: () => void };

/**
 * Runs `load` when `deps` change; a stale answer (deps changed meanwhile) is dropped. `reload` keeps what is
 * shown until the new answer arrives, so a form under it keeps its state and messages.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [Async<T>, () => void] {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const previousDeps = useRef<unknown[]>(deps);
  useEffect(() => {
    let current = true;
    const sameDeps =
      previousDeps.current.length === deps.length &&
      previousDeps.current.every((d, i) => Object.is(d, deps[i]));
    previousDeps.current = deps;
    if (!sameDeps) setResult({ state: 'loading' });
    load().then(
      (data) => current && setResult({ state: 'ok', data }),
      (error: unknown) => current && setResult({ state: 'error', error, retry: reload }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  return [result, reload];
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  const message =
    error instanceof ApiError
      ? error.status === 401
        ? 'Your token was refused.'
        : `${error.problem?.title ?? 'Error'} (${error.status}): ${error.message}`
      : error instanceof TypeError
        ? 'The API could not be reached. Is it running? (npm start)'
        : String(error);
  return (
    <div class="error" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

export function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>
        <span class="value">{value}</span>
        {note && <span class="note">{note}</span>}
      </dd>
    </div>
  );
}
