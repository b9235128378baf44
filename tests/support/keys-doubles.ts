import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { DataKeyStore } from '../../gateway/src/keys/index.js';

/** A fresh private directory per test, removed afterwards; returns its path. */
export function useTemporaryDirectory(): () => string {
  let directory: string | undefined;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'crypto-test-'));
  });
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });
  return () => {
    if (!directory) throw new Error('useTemporaryDirectory: only inside a test');
    return directory;
  };
}

/** A clock tests move by hand; starts at the beginning of an hour, so windows are predictable. */
export function fakeClock(start = Date.UTC(2025, 2, 1, 10)): { now: () => number; advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

/** The data_keys table in memory, with its unique (window, shard) constraint. */
export function inMemoryDataKeyStore(): DataKeyStore & { size(): number } {
  const rows = new Map<string, { id: string; wrapped: string; window: string; shard: number }>();
  return {
    async insert(key) {
      const taken = [...rows.values()].some((row) => row.window === key.window && row.shard === key.shard);
      if (taken) throw new Error('duplicate key value violates unique constraint');
      rows.set(key.id, key);
    },
    async find(id) {
      return rows.get(id);
    },
    async findForWindow(window, shard) {
      return [...rows.values()].find((row) => row.window === window && row.shard === shard);
    },
    size: () => rows.size,
  };
}
