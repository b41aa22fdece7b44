// One request to the collector as React state: loading, the answer or the error, and a retry.
// A newer request replaces an older one; an answer that arrives late is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';

export type Loaded<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'error'; error: Error };

export function useCollector<T>(load: (() => Promise<T>) | null, key: string): Loaded<T> & { retry: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // The newest loader, for the effect below: it runs when `key` says the question changed.
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });

  useEffect(() => {
    const run = latest.current;
    if (!run) {
      return;
    }
    let current = true;
    setResult({ state: 'loading' });
    run().then(
      (value) => current && setResult({ state: 'done', value }),
      (err: unknown) =>
        current && setResult({ state: 'error', error: err instanceof Error ? err : new Error(String(err)) })
    );
    return () => {
      current = false;
    };
  }, [key, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...result, retry };
}
