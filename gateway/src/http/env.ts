import type { HttpBindings } from '@hono/node-server';
import type { Principal } from '../auth/principal.js';

/** Typed variables every route can read; set by the middleware of `http/middleware.ts`. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    /** Made by the server for each request: the id of its log lines, problems and audit events. */
    requestId: string;
    /** The client's own `X-Request-Id` when it is a UUID: logged beside ours, never audited. */
    clientRequestId?: string;
    /** Why the request was refused authentication (`refused-traffic.ts`), for the failures counter. */
    refusal?: string;
    principal: Principal;
    /** The parsed JSON body, set by `jsonBody` after the size and type checks. */
    body: unknown;
  };
}
