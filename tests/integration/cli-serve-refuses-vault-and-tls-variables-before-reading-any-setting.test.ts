import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// A value no refusal may print, whatever the variable.
const VALUE = 'hvs.do-not-print-me';

/** `gateway serve` with nothing but PATH and the given variables: no setting at all. */
async function serve(variables: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const failure = await run(process.execPath, ['gateway/bin/gateway.js', 'serve'], { env: { PATH: process.env.PATH, ...variables }, timeout: 20_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
  return { code: failure.code, stderr: failure.stderr };
}

describe('`gateway serve` in an otherwise empty environment', () => {
  it.each([
    ['VAULT_SKIP_VERIFY', 'false'],
    ['VAULT_SKIP_VERIFY', ''],
    ['VAULT_TOKEN', VALUE],
    ['VAULT_NAMESPACE', VALUE],
    ['NODE_TLS_REJECT_UNAUTHORIZED', '0'],
  ])('exits 2 naming %s (set to "%s"), before reading any setting, without printing the value', async (name, value) => {
    const { code, stderr } = await serve({ [name]: value });
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    // every setting is missing, yet this is the only problem listed: the refusal came first
    expect(stderr.match(/^ {2}- /gm)).toHaveLength(1);
    expect(stderr).not.toContain(VALUE);
  });

  it('names every unsafe variable at once', async () => {
    const { code, stderr } = await serve({ VAULT_SKIP_VERIFY: '1', VAULT_TOKEN: VALUE, VAULT_NAMESPACE: VALUE, NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    expect(code).toBe(2);
    expect(stderr.match(/^ {2}- \w+:/gm)).toEqual(['  - VAULT_SKIP_VERIFY:', '  - VAULT_TOKEN:', '  - VAULT_NAMESPACE:', '  - NODE_TLS_REJECT_UNAUTHORIZED:']);
  });

  it('goes on to read the settings when NODE_TLS_REJECT_UNAUTHORIZED keeps checks on (1)', async () => {
    const { code, stderr } = await serve({ NODE_TLS_REJECT_UNAUTHORIZED: '1' });
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED/);
    expect(stderr).toMatch(/GATEWAY_DATABASE_URL/);
  });
});
