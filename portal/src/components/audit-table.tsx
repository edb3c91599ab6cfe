// Audit events, newest first: when, what, who, what it is about, and a one-line summary with the full data
// one click away.
import { formatTime } from '../format.ts';
import type { AuditEventView } from '../types.ts';
import { summarizeEvent } from './audit-summary.ts';

function About({ event }: { readonly event: AuditEventView }) {
  if (!event.requestId && !event.leaseId) return <>—</>;
  return (
    <ul class="plain audit-about">
      {event.requestId ? (
        <li>
          <a href={`/requests/${event.requestId}`}>Request {event.requestId}</a>
        </li>
      ) : null}
      {event.leaseId ? (
        <li>
          <a href={`/leases/${event.leaseId}`}>Lease {event.leaseId}</a>
        </li>
      ) : null}
    </ul>
  );
}

export function AuditTable({ events, caption }: { readonly events: readonly AuditEventView[]; readonly caption: string }) {
  return (
    <div class="table-wrap">
      <table class="audit-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Actor</th>
            <th scope="col">About</th>
            <th scope="col">What happened</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.seq} data-seq={event.seq}>
              <td class="audit-time">
                {formatTime(event.at)}
                <span class="audit-seq">#{event.seq}</span>
              </td>
              <td>
                <code>{event.type}</code>
              </td>
              <td>{event.actor}</td>
              <td>
                <About event={event} />
              </td>
              <td class="audit-summary">
                {summarizeEvent(event)}
                {Object.keys(event.data).length > 0 ? (
                  <details>
                    <summary>
                      Details<span class="visually-hidden"> of event #{event.seq}</span>
                    </summary>
                    <pre class="audit-data">{JSON.stringify(event.data, null, 2)}</pre>
                  </details>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
