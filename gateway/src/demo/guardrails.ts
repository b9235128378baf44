/** The demo never runs where production settings are present (DESIGN, "Demo guardrails"). */
export function demoRefusals(env: NodeJS.ProcessEnv): string[] {
  const refusals: string[] = [];
  if (env.GATEWAY_PROFILE === 'production') refusals.push('GATEWAY_PROFILE=production is set');
  if (env.NODE_ENV === 'production') refusals.push('NODE_ENV=production is set');
  if (env.VAULT_ADDR) refusals.push('VAULT_ADDR is set');
  return refusals;
}
