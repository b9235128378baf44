import { useCallback, useEffect, useState } from 'react';
import { call } from '../api.js';

/** Loads one GET resource; `reload` fetches it again (after a change, or on a timer). */
export function useLoad<T>(path: string | undefined, refreshMs?: number) {
  const [data, setData] = useState<T>();
  const [failure, setFailure] = useState<unknown>();
  const reload = useCallback(() => {
    if (!path) return;
    call<T>('GET', path).then(
      (d) => {
        setData(d);
        setFailure(undefined);
      },
      setFailure,
    );
  }, [path]);
  useEffect(() => {
    reload();
    if (!refreshMs) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [reload, refreshMs]);
  return { data, failure, reload };
}

/** A duration in seconds as "4 min 10 s" / "2 h 5 min"; under a second as "< 1 s", never "0 s" for a real delay. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds > 0 && seconds < 1) return '< 1 s';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
