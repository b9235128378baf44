import { describe, expect, it } from 'vitest';
import { createWakeableSleep } from '../../gateway/src/outbox/wakeable-sleep.js';

/** The pause of the relay and the callback worker: an hour-long sleep here only ends by a wake. */
const HOUR = 3_600_000;

describe('the wakeable sleep', () => {
  it('ends a sleep as soon as wake() is called', async () => {
    const pause = createWakeableSleep();
    const slept = pause.sleep(HOUR);
    pause.wake();
    await expect(slept).resolves.toBeUndefined();
  });

  it('keeps a wake that came while the loop was busy, for its next sleep only', async () => {
    const pause = createWakeableSleep();
    pause.wake();
    await expect(pause.sleep(HOUR)).resolves.toBeUndefined();
    // the wake was spent: the next sleep waits its time
    const next = await Promise.race([pause.sleep(20).then(() => 'slept'), Promise.resolve('pending')]);
    expect(next).toBe('pending');
  });
});
