import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseVerifiedState } from '../../gateway/src/cli/audit.js';
import { UsageError } from '../../gateway/src/cli/command.js';

const SECRET = '1850775123456 <script>';
const REFUSAL = '--state names a file that is not a verify state (JSON {"number", "body"} written by audit verify --state)';

describe('audit verify --state file', () => {
  it('reads a checkpoint number of 1 or more and a body, or refuses as a usage error that never echoes the text', () => {
    const shaped = fc.record({ number: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)), body: fc.oneof(fc.string(), fc.integer(), fc.constant(SECRET)) }, { requiredKeys: [] }).map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), shaped, fc.constant(`{"number":1,"body":"${'x'.repeat(20_000)}"}`), fc.constant(SECRET)), (text) => {
        try {
          const state = parseVerifiedState(text);
          expect(Number.isSafeInteger(state.number) && state.number >= 1).toBe(true);
          expect(typeof state.body).toBe('string');
          expect(Object.keys(state).sort()).toEqual(['body', 'number']);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          // one fixed message whatever the text: nothing of it comes back
          expect((e as Error).message).toBe(REFUSAL);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads back what verify writes', () => {
    expect(parseVerifiedState(`${JSON.stringify({ number: 12, body: '{"log":"x"}' })}\n`)).toEqual({ number: 12, body: '{"log":"x"}' });
  });
});
