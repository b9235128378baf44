/**
 * @peculiar/x509 looks its algorithms up through tsyringe, which refuses to load unless the
 * Reflect metadata API exists (x509 README, "Reflect Polyfill Required"). x509 emits no
 * decorator metadata, so tsyringe only ever reads back what it stored itself; this WeakMap
 * subset of the API covers its three calls without adding the `reflect-metadata` package.
 * Import this module before `@peculiar/x509` (ES modules evaluate imports in order).
 */
type MetadataStore = Map<unknown, unknown>;

const stores = new WeakMap<object, MetadataStore>();

function ownStore(target: object): MetadataStore {
  let store = stores.get(target);
  if (store === undefined) {
    store = new Map();
    stores.set(target, store);
  }
  return store;
}

function getOwnMetadata(key: unknown, target: object): unknown {
  return stores.get(target)?.get(key);
}

function getMetadata(key: unknown, target: object): unknown {
  for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
    const store = stores.get(t);
    if (store?.has(key)) return store.get(key);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: object): void {
  ownStore(target).set(key, value);
}

if (!('getMetadata' in Reflect)) {
  Object.assign(Reflect, { getMetadata, getOwnMetadata, defineMetadata });
}
