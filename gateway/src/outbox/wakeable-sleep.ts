/**
 * The pause of a polling loop that `wake()` cuts short: the loop sleeps its poll interval unless
 * work arrives first. A wake while the loop is busy (claiming, not sleeping) is kept, so its next
 * sleep returns at once instead of leaving that work for the next poll.
 *
 * @example
 * const pause = createWakeableSleep();
 * while (running) { await claimAndSend(); await pause.sleep(pollMs); } // elsewhere: pause.wake()
 */
export function createWakeableSleep(): { sleep(ms: number): Promise<void>; wake(): void } {
  let wakeUp: (() => void) | undefined;
  let woken = false;
  return {
    sleep(ms) {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    },
    wake() {
      if (wakeUp) wakeUp();
      else woken = true;
    },
  };
}
