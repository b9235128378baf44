import type { HttpBindings } from '@hono/node-server';
import type { AppEnv } from '../http/index.js';
import type { Rights } from '../auth/rbac.js';
import type { Session } from '../auth/sessions.js';
import type { ResultsCaller } from '../intake/results-routes.js';

/** Variables of the web listener: the intake's, plus the signed-in person. */
export interface WebEnv {
  Bindings: HttpBindings;
  Variables: AppEnv['Variables'] & {
    session: Session;
    /** The cookie's token (the CSRF token derives from it). */
    sessionToken: string;
    rights: Rights;
    /** On the results routes: the person's pharmacies for the `results` right (`sessionCaller`). */
    caller: ResultsCaller;
  };
}
