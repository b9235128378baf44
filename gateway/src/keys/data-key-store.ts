import type { Database } from '../db/index.js';
import type { DataKeyStore } from './data-keys.js';

/** The `data_keys` table as the data-key provider's store: wrapped keys only. */
export function createDataKeyStore(db: Database): DataKeyStore {
  return {
    async insert(k) {
      await db.insertInto('data_keys').values({ id: k.id, wrapped: k.wrapped, key_window: k.window, shard: k.shard }).execute();
    },
    find: (id) => db.selectFrom('data_keys').select('wrapped').where('id', '=', id).executeTakeFirst(),
    findForWindow: (window, shard) =>
      db.selectFrom('data_keys').select(['id', 'wrapped']).where('key_window', '=', window).where('shard', '=', shard).executeTakeFirst(),
  };
}
