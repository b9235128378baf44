import { useEffect, useState } from 'react';
import type { BackgroundJob } from '../../../gateway/src/api-types.js';
import { call } from '../api.js';

const POLL_MS = 1_000;

/**
 * Starts a background job with `POST start` and polls `GET {start}/{id}` every second until it
 * ends; the server answers with the running job when one is already under way, so a second
 * click follows it instead of starting another.
 */
export function useBackgroundJob<R>(start: string) {
  const [job, setJob] = useState<BackgroundJob<R>>();
  const [failure, setFailure] = useState<unknown>();

  useEffect(() => {
    if (job?.state !== 'running') return;
    const timer = setTimeout(() => {
      call<BackgroundJob<R>>('GET', `${start.split('?')[0]}/${encodeURIComponent(job.id)}`).then(setJob, setFailure);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job, start]);

  const run = () => {
    setFailure(undefined);
    call<BackgroundJob<R>>('POST', start).then(setJob, setFailure);
  };
  return { job, failure, run };
}

/** A job's progress for a `<progress>` element: indeterminate until the total is known. */
export function progressOf(job: BackgroundJob<unknown>): { value?: number; max: number; percent: number } {
  if (job.total === 0) return job.state === 'running' ? { max: 1, percent: 0 } : { value: 1, max: 1, percent: 100 };
  return { value: job.done, max: job.total, percent: Math.round((job.done / job.total) * 100) };
}
