import type { HttpBindings } from '@hono/node-server';
import type { Principal } from '../auth/principal.js';

/** Typed variables every route can read; set by the middleware of `http/middleware.ts`. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    requestId: string;
    principal: Principal;
    /** The parsed JSON body, set by `jsonBody` after the size and type checks. */
    body: unknown;
  };
}
