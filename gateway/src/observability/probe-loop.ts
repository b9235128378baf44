/** A health probe run now and then every `intervalMs`, never two at once. */
export interface ProbeLoop {
  /** Probes now, then periodically (the timer does not hold the process open). */
  start(): Promise<void>;
  stop(): void;
  /** One probe; joins the one in flight rather than stacking another on a hanging dependency. */
  probeNow(): Promise<void>;
}

/**
 * The shared shell of the fail-closed guards (key manager, audit log): `probe` records its own
 * outcome and never rejects; a probe that hangs simply lets the last success age.
 * @example const loop = createProbeLoop(() => keys.probe().then(recordSuccess, () => undefined), 2_000);
 */
export function createProbeLoop(probe: () => Promise<void>, intervalMs: number): ProbeLoop {
  let pending: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const probeNow = (): Promise<void> => {
    pending ??= probe().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  return {
    start() {
      if (!timer) {
        timer = setInterval(() => void probeNow(), intervalMs);
        timer.unref();
      }
      return probeNow();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    probeNow,
  };
}
