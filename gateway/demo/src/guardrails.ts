import { environmentProblems } from '@sidep-gateway/gateway/config/index.js';
import type { DemoKeyManagerKind } from './key-manager.js';

/** The demo never runs where production settings are present (DESIGN, "Demo guardrails"). */
export function demoRefusals(env: NodeJS.ProcessEnv, keyManager: DemoKeyManagerKind = 'local'): string[] {
  const refusals: string[] = [];
  if (env.GATEWAY_PROFILE === 'production') refusals.push('GATEWAY_PROFILE=production is set');
  if (env.NODE_ENV === 'production') refusals.push('NODE_ENV=production is set');
  if (env.VAULT_ADDR) refusals.push('VAULT_ADDR is set');
  // on OpenBao the demo runs serve's Vault wiring, and refuses the variables serve refuses around it
  if (keyManager === 'openbao') refusals.push(...environmentProblems(env));
  return refusals;
}
