// Durable per-connector key/value state (cursors, ETags, backfill progress) in connector_state.
import type { ConnectorState } from '@painchain/sdk';
import type { Db } from './db.js';

export function connectorState(db: Db, tenant: string, connector: string): ConnectorState {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const { rows } = await db.query<{ value: T }>(
        'SELECT value FROM connector_state WHERE tenant = $1 AND connector = $2 AND key = $3',
        [tenant, connector, key],
      );
      return rows[0]?.value;
    },
    async set(key: string, value: unknown): Promise<void> {
      await db.query(
        `INSERT INTO connector_state (tenant, connector, key, value, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, now())
         ON CONFLICT (tenant, connector, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [tenant, connector, key, JSON.stringify(value ?? null)],
      );
    },
    async delete(key: string): Promise<void> {
      await db.query(
        'DELETE FROM connector_state WHERE tenant = $1 AND connector = $2 AND key = $3',
        [tenant, connector, key],
      );
    },
  };
}
