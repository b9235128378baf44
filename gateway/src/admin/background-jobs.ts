import { randomUUID } from 'node:crypto';
import type { BackgroundJob } from '../api-types.js';

export interface JobRegistry<R> {
  /**
   * Starts `run` for `owner` unless one of theirs is still running: then that one is returned
   * (`started: false`), so a double click or a second tab never runs the work twice.
   */
  start(owner: string, run: (progress: (done: number, total: number) => void) => Promise<R>, onEnd: (job: BackgroundJob<R>) => Promise<void>): { job: BackgroundJob<R>; started: boolean };
  /** The owner's job with this id; another person's job is not found. */
  get(owner: string, id: string): BackgroundJob<R> | undefined;
}

/** Finished jobs kept for polling, per registry: enough for everyone's last few runs. */
const KEEP_FINISHED = 50;

/**
 * Long admin actions (audit verification, rewrap) run in the web process after the request
 * answers; the UI polls the job for its progress. Jobs live in this process's memory only: a
 * restart loses the progress, not the work (a rewrap resumes where it stopped; a verification
 * is run again). A failure keeps only the error's name, never its message.
 * @example const jobs = createJobRegistry<VerifyReport>(); const { job } = jobs.start(userId, (p) => verify(p), audit);
 */
export function createJobRegistry<R>(): JobRegistry<R> {
  const jobs = new Map<string, BackgroundJob<R>>();
  const owners = new Map<string, string>();

  const forget = () => {
    const finished = [...jobs.values()].filter((j) => j.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) {
      jobs.delete(j.id);
      owners.delete(j.id);
    }
  };
  // a copy: the caller serialises it while the job moves on
  const view = (job: BackgroundJob<R>): BackgroundJob<R> => ({ ...job });

  return {
    start(owner, run, onEnd) {
      const running = [...jobs.values()].find((j) => owners.get(j.id) === owner && j.state === 'running');
      if (running) return { job: view(running), started: false };
      forget();
      const job: BackgroundJob<R> = { id: randomUUID(), state: 'running', done: 0, total: 0, startedAt: new Date().toISOString(), finishedAt: null, result: null, problem: null };
      jobs.set(job.id, job);
      owners.set(job.id, owner);
      void run((done, total) => {
        job.done = done;
        job.total = total;
      })
        .then(
          (result) => Object.assign(job, { state: 'succeeded', result }),
          (error: unknown) => Object.assign(job, { state: 'failed', problem: { code: error instanceof Error ? error.name : 'failed' } }),
        )
        .then(async () => {
          job.finishedAt = new Date().toISOString();
          await onEnd(view(job));
        })
        .catch(() => undefined); // the end's audit event failed: the job's state still shows
      return { job: view(job), started: true };
    },
    get(owner, id) {
      const job = jobs.get(id);
      return job && owners.get(id) === owner ? view(job) : undefined;
    },
  };
}
