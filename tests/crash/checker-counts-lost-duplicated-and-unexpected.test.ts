import { describe, expect, it } from 'vitest';
import { callbackTally, tally } from './campaign.js';

/** The campaign's verdict is only as good as its checker: each kind of fault must be counted. */
describe('the crash campaign checker', () => {
  const resultOf = new Map([
    ['m1', 'r1'],
    ['m2', 'r2'],
    ['m2b', 'r2'],
    ['m3', 'r3'],
  ]);

  it('passes a journal holding each acked result once, a replayed key included', () => {
    expect(tally([new Set(['r1']), new Set(['r2']), new Set()], resultOf, ['m1', 'm2'])).toEqual({ acked: 2, lost: 0, duplicated: 0, unexpected: 0 });
  });

  it('counts an acked result missing from the journal as lost', () => {
    expect(tally([new Set(['r1']), new Set(['r2'])], resultOf, ['m1']).lost).toBe(1);
  });

  it('counts a result delivered as two messages, and a key answered with two ids, as duplicated', () => {
    expect(tally([new Set(['r2'])], resultOf, ['m2', 'm2b']).duplicated).toBe(1);
    expect(tally([new Set(['r1', 'r3'])], resultOf, ['m1', 'm3']).duplicated).toBe(1);
  });

  it('counts a delivery of an unacked result or of an unknown message as unexpected', () => {
    expect(tally([new Set(['r1'])], resultOf, ['m1', 'm3', 'm-unknown']).unexpected).toBe(2);
  });
});

describe('the crash campaign callback checker', () => {
  const callback = (webhookId: string, resultId: string, type = 'result.delivered') => ({
    headers: { 'webhook-id': webhookId, 'webhook-timestamp': '0', 'webhook-signature': 'v1,x' },
    body: JSON.stringify({ type, timestamp: '', data: { resultId, status: 'delivered' } }),
  });

  it('passes each delivery received under one webhook-id, however many times', () => {
    expect(callbackTally(['r1', 'r2'], [callback('w1', 'r1'), callback('w1', 'r1'), callback('w2', 'r2')])).toEqual({ callbacksLost: 0, callbacksDuplicated: 0 });
  });

  it('counts a delivery without its result.delivered callback as lost', () => {
    expect(callbackTally(['r1', 'r2'], [callback('w1', 'r1'), callback('w9', 'r2', 'result.purged')]).callbacksLost).toBe(1);
  });

  it('counts a delivery received under two different webhook-ids as duplicated', () => {
    expect(callbackTally(['r1', 'r2'], [callback('w1', 'r1'), callback('w2', 'r1'), callback('w3', 'r2')])).toEqual({ callbacksLost: 0, callbacksDuplicated: 1 });
  });
});
