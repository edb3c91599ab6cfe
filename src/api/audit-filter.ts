// From the audit search's query (GET /v1/audit, GET /v1/audit/export, `jitd audit export --db`) to the
// store's filter: relative times become absolute with the caller's `now`, and an empty window is refused.
import type { z } from 'zod';
import { InvalidInputError } from '../core/errors.ts';
import { LeaseId, PrincipalId, RequestId, RoleName } from '../core/ids.ts';
import type { AuditFilter } from '../store/store.ts';
import type { AuditTime, auditExportQuery } from './schemas.ts';

export type AuditFilterQuery = z.output<typeof auditExportQuery>;

function resolve(time: AuditTime, now: Date): Date {
  return 'at' in time ? time.at : new Date(now.getTime() - time.agoMs);
}

export function auditFilterOf(query: AuditFilterQuery, now: Date): AuditFilter {
  const since = query.since === undefined ? undefined : resolve(query.since, now);
  const until = query.until === undefined ? undefined : resolve(query.until, now);
  if (since !== undefined && until !== undefined && until.getTime() <= since.getTime()) {
    throw InvalidInputError.of([{ path: 'until', message: `must be after since (${since.toISOString()}), got ${until.toISOString()}` }]);
  }
  return {
    ...(query.principal === undefined ? {} : { principal: PrincipalId(query.principal) }),
    ...(query.role === undefined ? {} : { role: RoleName(query.role) }),
    ...(query.type === undefined ? {} : { types: query.type }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(query.requestId === undefined ? {} : { requestId: RequestId(query.requestId) }),
    ...(query.leaseId === undefined ? {} : { leaseId: LeaseId(query.leaseId) }),
  };
}
