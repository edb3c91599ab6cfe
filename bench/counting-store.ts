// A store in front of the real one that counts what the reports read: calls and rows per method, and how many
// distinct leases came back (rows read twice at a page boundary count once there).
import type { Store } from '../src/store/store.ts';

export type ReportStore = Pick<Store, 'listLeases' | 'listRequests' | 'getRequest' | 'listStandingAccess' | 'firstStandingAccess'>;

const METHODS = ['listLeases', 'listRequests', 'getRequest', 'listStandingAccess', 'firstStandingAccess'] as const;
type Method = (typeof METHODS)[number];

export interface ReadCounts {
  readonly calls: Readonly<Record<Method, number>>;
  readonly rows: Readonly<Record<Method, number>>;
  /** All rows of every method. */
  readonly totalRows: number;
  readonly distinctLeases: number;
}

export interface CountingStore {
  readonly store: ReportStore;
  /** Starts counting afresh (before each measured run). */
  reset(): void;
  counts(): ReadCounts;
}

const zero = (): Record<Method, number> => ({ listLeases: 0, listRequests: 0, getRequest: 0, listStandingAccess: 0, firstStandingAccess: 0 });

export function countingStore(inner: ReportStore): CountingStore {
  let calls = zero();
  let rows = zero();
  let leaseIds = new Set<string>();
  const count = <T>(method: Method, result: T): T => {
    calls[method] += 1;
    rows[method] += Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
    return result;
  };
  return {
    store: {
      listLeases: async (filter) => {
        const leases = count('listLeases', await inner.listLeases(filter));
        for (const l of leases) leaseIds.add(l.id);
        return leases;
      },
      listRequests: async (filter) => count('listRequests', await inner.listRequests(filter)),
      getRequest: async (id) => count('getRequest', await inner.getRequest(id)),
      listStandingAccess: async (filter) => count('listStandingAccess', await inner.listStandingAccess(filter)),
      firstStandingAccess: async () => count('firstStandingAccess', await inner.firstStandingAccess()),
    },
    reset() {
      calls = zero();
      rows = zero();
      leaseIds = new Set();
    },
    counts() {
      return { calls: { ...calls }, rows: { ...rows }, totalRows: METHODS.reduce((sum, m) => sum + rows[m], 0), distinctLeases: leaseIds.size };
    },
  };
}
