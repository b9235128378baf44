import { describe, expect, it } from 'vitest';
import { nextStreak, opensCircuit, supersedesContract, type Streak } from '../../gateway/src/outbox/contract-streak.js';

const settings = { refusals: 3, windowSeconds: 300 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));
const refuse = (streak: Streak | undefined, signature: string, seconds: number) => nextStreak(streak, signature, at(seconds), settings);

describe('the streak of refusals that opens the contract circuit', () => {
  it('opens after the configured number of refusals of one signature within the window', () => {
    const first = refuse(undefined, 'A', 0);
    const second = refuse(first, 'A', 100);
    const third = refuse(second, 'A', 299);
    expect([first, second, third].map((s) => s.refusals)).toEqual([1, 2, 3]);
    expect(third.startedAt).toEqual(at(0));
    expect([first, second, third].map((s) => opensCircuit(s, settings))).toEqual([false, false, true]);
  });

  it('starts over on another signature', () => {
    const streak = refuse(refuse(undefined, 'A', 0), 'A', 1);
    expect(refuse(streak, 'B', 2)).toEqual({ signature: 'B', refusals: 1, startedAt: at(2) });
  });

  it('starts over once the window since its first refusal has passed', () => {
    const streak = refuse(refuse(undefined, 'A', 0), 'A', 1);
    expect(refuse(streak, 'A', 300)).toEqual({ signature: 'A', refusals: 1, startedAt: at(300) });
  });

  it('starts over after an acceptance ended it', () => {
    const ended = { ...refuse(refuse(undefined, 'A', 0), 'A', 1), refusals: 0 };
    expect(refuse(ended, 'A', 2)).toEqual({ signature: 'A', refusals: 1, startedAt: at(2) });
  });
});

describe('a redeployed gateway', () => {
  it('closes the circuit only with a later contract version than the one it opened under', () => {
    expect(supersedesContract('3', '2')).toBe(true);
    expect(supersedesContract('10', '9')).toBe(true);
    // an old replica still running, or a rollback, still sends the refused shape
    expect(supersedesContract('2', '2')).toBe(false);
    expect(supersedesContract('1', '2')).toBe(false);
    expect(supersedesContract('3', 'x')).toBe(false);
  });
});
