import { close, listen, type AnyServer } from '../http/index.js';

/** A part of the running gateway, a listener or a background job: started once, then stopped. */
export interface Lifecycle {
  /** Names the part in errors and logs. */
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/**
 * Parts started one after the other and stopped last first. When a start fails, the parts
 * already started are stopped, last first, before the failure is rethrown: nothing is left
 * listening, polling or connected. A stop that fails does not keep the others running.
 * @example const gateway = inOrder('gateway', [database, guards, intakeListener]); await gateway.start();
 */
export function inOrder(name: string, parts: readonly Lifecycle[]): Lifecycle & { start(): Promise<void>; stop(): Promise<void> } {
  const started: Lifecycle[] = [];
  /** Stops every started part; returns what failed. */
  async function stopStarted(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const part of started.splice(0).reverse()) {
      await Promise.resolve()
        .then(() => part.stop())
        .catch((e: unknown) => failures.push(e));
    }
    return failures;
  }
  return {
    name,
    async start() {
      for (const part of parts) {
        try {
          await part.start();
        } catch (e) {
          const failures = await stopStarted();
          if (failures.length) throw new AggregateError([e, ...failures], `${part.name} failed to start, and stopping the parts started before it failed too`);
          throw e;
        }
        started.push(part);
      }
    },
    async stop() {
      const failures = await stopStarted();
      if (failures.length) throw new AggregateError(failures, `${name}: ${failures.length} part(s) failed to stop`);
    },
  };
}

/** A job run every `ms` (the timer does not hold the process open); `run` handles its own failures. */
export function every(name: string, ms: number, run: () => void): Lifecycle {
  let timer: NodeJS.Timeout | undefined;
  return {
    name,
    start() {
      timer = setInterval(run, ms);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** A resource that holds nothing until used (a pool, a client), closed with the gateway. */
export function closing(name: string, close: () => void | Promise<void>): Lifecycle {
  return { name, start() {}, stop: close };
}

/**
 * A listener as a part: what it needs running first (its TLS files, a revocation watch), then
 * its server listening; the port is known once started. Stopping closes open connections too.
 */
export function listener(name: string, server: AnyServer, at: { port: number; host: string }, before: readonly Lifecycle[] = []): Lifecycle & { port(): number } {
  let port: number | undefined;
  const serving: Lifecycle = {
    name,
    async start() {
      port = await listen(server, at.port, at.host, name);
    },
    stop: () => close(server),
  };
  return {
    ...inOrder(name, [...before, serving]),
    port() {
      if (port === undefined) throw new Error(`${name} is not listening`);
      return port;
    },
  };
}

/** Names an object that has its own start and stop (a guard, a watch, a loop) as a part. */
export function part(name: string, o: { start(): void | Promise<void>; stop(): void | Promise<void> }): Lifecycle {
  return { name, start: () => o.start(), stop: () => o.stop() };
}
