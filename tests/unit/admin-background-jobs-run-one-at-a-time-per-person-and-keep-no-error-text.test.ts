import { describe, expect, it } from 'vitest';
import type { BackgroundJob } from '../../gateway/src/api-types.js';
import { createJobRegistry } from '../../gateway/src/admin/background-jobs.js';

/** A job whose end the test decides, reporting progress on the way. */
function gate<R>() {
  let finish: (r: R) => void = () => undefined;
  let fail: (e: Error) => void = () => undefined;
  let report: (done: number, total: number) => void = () => undefined;
  const run = (progress: (done: number, total: number) => void) => {
    report = progress;
    return new Promise<R>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return { run, finish: (r: R) => finish(r), fail: (e: Error) => fail(e), report: (d: number, t: number) => report(d, t) };
}

const ended = () => {
  const jobs: BackgroundJob<unknown>[] = [];
  return { jobs, onEnd: async (job: BackgroundJob<unknown>) => void jobs.push(job) };
};

describe('background jobs', () => {
  it('runs one job at a time per person: a second start returns the running one', async () => {
    const registry = createJobRegistry<number>();
    const first = gate<number>();
    const end = ended();
    const a = registry.start('alice', first.run, end.onEnd);
    const again = registry.start('alice', gate<number>().run, end.onEnd);
    expect(a.started).toBe(true);
    expect(again).toMatchObject({ started: false, job: { id: a.job.id, state: 'running' } });
    // another person is not held back
    expect(registry.start('bob', gate<number>().run, end.onEnd).started).toBe(true);
    first.report(3, 10);
    expect(registry.get('alice', a.job.id)).toMatchObject({ done: 3, total: 10, state: 'running' });
    first.finish(42);
    await new Promise((r) => setTimeout(r, 0));
    expect(registry.get('alice', a.job.id)).toMatchObject({ state: 'succeeded', result: 42 });
    expect(end.jobs).toHaveLength(1);
    expect(registry.start('alice', gate<number>().run, end.onEnd).started).toBe(true);
  });

  it('shows a job to its owner only', () => {
    const registry = createJobRegistry<number>();
    const { job } = registry.start('alice', gate<number>().run, async () => undefined);
    expect(registry.get('bob', job.id)).toBeUndefined();
    expect(registry.get('alice', job.id)?.id).toBe(job.id);
  });

  it('keeps only the name of the error a job failed with, never its message', async () => {
    const registry = createJobRegistry<number>();
    const g = gate<number>();
    const end = ended();
    const { job } = registry.start('alice', g.run, end.onEnd);
    g.fail(new TypeError('value 1850775123456 refused'));
    await new Promise((r) => setTimeout(r, 0));
    const failed = registry.get('alice', job.id);
    expect(failed).toMatchObject({ state: 'failed', problem: { code: 'TypeError' }, result: null });
    expect(JSON.stringify(failed)).not.toContain('1850775123456');
    expect(end.jobs[0]?.finishedAt).not.toBeNull();
  });
});
