// Who is signed in, for every page: read once from /v1/me when the portal opens.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './types.ts';

export const SessionContext = createContext<Me | undefined>(undefined);

/** The signed-in person (pages render only inside a signed-in session). */
export function useMe(): Me {
  const me = useContext(SessionContext);
  if (me === undefined) throw new Error('useMe outside a signed-in session');
  return me;
}

/** Admins and auditors see everyone's leases, the audit trail and the KPIs. */
export function seesAll(me: Me): boolean {
  return me.admin || me.auditor;
}
