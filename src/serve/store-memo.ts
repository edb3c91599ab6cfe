// A connector's memo kept in the store: read once when the connector starts, written through on change.
import type { ConnectorMemo } from '../connectors/connector.ts';
import type { ConnectorName } from '../core/ids.ts';
import type { Clock } from '../engine/deps.ts';
import type { Store } from '../store/store.ts';

export async function storeMemo(store: Store, connector: ConnectorName, clock: Clock): Promise<ConnectorMemo> {
  const values = new Map(await store.readConnectorMemo(connector));
  return {
    get: (key) => values.get(key),
    set: async (key, value) => {
      if (values.get(key) === value) return;
      await store.writeConnectorMemo(connector, key, value, clock.now());
      values.set(key, value);
    },
  };
}
