import { KeyManagerUnavailable } from '../errors.js';
import { createProbeLoop } from '../observability/probe-loop.js';
import { createBlindIndex, type BlindIndex, type BlindIndexKey } from '../crypto/index.js';
import type { KeyManager } from './key-manager.js';

/**
 * By default a replica indexes under a new blind-index key version only this long after it was
 * added (`keyManager.blindIndexAdoptSeconds`). Every replica still serving by then holds it for
 * lookups (it re-reads the versions every 2 s and refuses work when its view is older than 5 s),
 * so no duplicate or idempotent replay indexed under the new version can be missed by a replica
 * that does not know it yet — provided the version reached every replica's files within that time.
 */
export const BLIND_INDEX_ADOPT_AFTER_MS = 10_000;

const MAX_STALENESS_MS = 5_000;

/**
 * When every replica still serving indexes under the newest held version: its adoption time, plus
 * the staleness limit during which a replica may still serve on a view read just before it.
 * `keys reindex` starts no earlier, so no replica writes under an older version behind it.
 *
 * @example
 * const wait = blindIndexSettledAt(await keys.blindIndexKeys()) - Date.now();
 */
export function blindIndexSettledAt(held: readonly BlindIndexKey[], adoptAfterMs = BLIND_INDEX_ADOPT_AFTER_MS): number {
  const newest = held.reduce<BlindIndexKey | undefined>((a, b) => (a && a.version > b.version ? a : b), undefined);
  return newest?.createdAt ? newest.createdAt.getTime() + adoptAfterMs + MAX_STALENESS_MS : Number.NEGATIVE_INFINITY;
}

export interface LiveBlindIndex {
  /** Always the current view; throws `KeyManagerUnavailable` when it is older than `maxStalenessMs`. */
  readonly blindIndex: BlindIndex;
  /** Reads the versions now (must succeed), then every `refreshIntervalMs`. */
  start(): Promise<void>;
  stop(): void;
  /** One read now; never rejects: a failed read only lets the view age. */
  refreshNow(): Promise<void>;
  /** False when the view is older than `maxStalenessMs` (the index then refuses work): for `/readyz`. */
  isFresh(): boolean;
}

export interface LiveBlindIndexOptions {
  keys: Pick<KeyManager, 'blindIndexKeys'>;
  /** Milliseconds since the epoch; injectable so tests control time. */
  clock?: () => number;
  refreshIntervalMs?: number;
  maxStalenessMs?: number;
  /** `keyManager.blindIndexAdoptSeconds` in milliseconds. */
  adoptAfterMs?: number;
}

/**
 * The blind index of a running gateway, following `keys rotate-blind-index` and
 * `retire-blind-index` without restart: lookups match under every version held as soon as it is
 * read; new indexes go under the newest version added at least `adoptAfterMs` ago
 * (a version without a creation time counts as old), from the first read after that. The view
 * changes only when a read completes, so a caller reading `version` and computing an index in
 * the same synchronous step never mixes two versions.
 *
 * @example
 * const live = createLiveBlindIndex({ keys });
 * await live.start();
 * const sealer = createResultSealer({ dataKeys, blindIndex: live.blindIndex });
 */
export function createLiveBlindIndex({ keys, clock = Date.now, refreshIntervalMs = 2_000, maxStalenessMs = MAX_STALENESS_MS, adoptAfterMs = BLIND_INDEX_ADOPT_AFTER_MS }: LiveBlindIndexOptions): LiveBlindIndex {
  // Replaced only between two reads of the key manager, never within synchronous code.
  let view: BlindIndex | undefined;
  let freshAt = Number.NEGATIVE_INFINITY;

  async function refresh(): Promise<void> {
    // The view is as fresh as the moment the read began: a version added later may be missing from it.
    const startedAt = clock();
    view = viewOf(await keys.blindIndexKeys(), startedAt, adoptAfterMs);
    freshAt = startedAt;
  }
  const loop = createProbeLoop(() => refresh().catch(() => undefined), refreshIntervalMs);

  const isFresh = () => view !== undefined && clock() - freshAt <= maxStalenessMs;
  function current(): BlindIndex {
    if (!view || !isFresh()) throw new KeyManagerUnavailable({ cause: new Error('blind-index key versions not read for too long') });
    return view;
  }

  const blindIndex: BlindIndex = {
    get version() {
      return current().version;
    },
    get versions() {
      return current().versions;
    },
    nir: (pharmacyId, value) => current().nir(pharmacyId, value),
    chainNir: (value) => current().chainNir(value),
    fingerprint: (value) => current().fingerprint(value),
    externalRef: (value) => current().externalRef(value),
    deliveredContent: (value) => current().deliveredContent(value),
  };

  return {
    blindIndex,
    async start() {
      await refresh();
      await loop.start();
    },
    stop: loop.stop,
    refreshNow: loop.probeNow,
    isFresh,
  };
}

/** The index functions of the newest adopted version (else the oldest held: every replica holds it), looking up under all. */
function viewOf(held: BlindIndexKey[], now: number, adoptAfterMs: number): BlindIndex {
  const all = createBlindIndex(held);
  const adopted = held.filter((k) => !k.createdAt || now - k.createdAt.getTime() >= adoptAfterMs).map((k) => k.version);
  const writeVersion = adopted.length ? Math.max(...adopted) : Math.min(...held.map((k) => k.version));
  const write = all.versions.find((v) => v.version === writeVersion) ?? all;
  return { nir: write.nir, chainNir: write.chainNir, fingerprint: write.fingerprint, externalRef: write.externalRef, deliveredContent: write.deliveredContent, version: writeVersion, versions: all.versions };
}
