// What the reconciler found on its last pass: people holding a role's target without a lease (standing
// access), whether an enforced role removed them, and the roles it could not check.
import { formatTime } from '../format.ts';
import type { StatusView } from '../types.ts';

export function OpsStanding({ standing }: { readonly standing: StatusView['standingAccess'] }) {
  return (
    <section aria-labelledby="ops-standing-title">
      <h2 id="ops-standing-title">Standing access found by the reconciler</h2>
      {!standing ? (
        <p>The reconciler has not reported yet (it may be turned off, or not have run since jitd started).</p>
      ) : (
        <>
          <p>Last checked {formatTime(standing.checkedAt)}.</p>
          {standing.errors.length > 0 ? (
            <div class="notice notice--warn">
              <p class="notice-title">Some roles could not be checked</p>
              <ul>
                {standing.errors.map((e, i) => (
                  <li key={`${e.role}-${i}`}>
                    <strong>{e.role}</strong>: {e.error}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {standing.findings.length === 0 ? (
            <p>Nobody holds a role's target without a lease.</p>
          ) : (
            // Focusable so that keyboard users can scroll it on a narrow screen (it has no links of its own).
            <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="ops-standing-caption">
              <table class="ops-table">
                <caption id="ops-standing-caption">
                  {standing.findings.length} standing {standing.findings.length === 1 ? 'member' : 'members'} found
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Role</th>
                    <th scope="col">Holder</th>
                    <th scope="col">As the target names them</th>
                    <th scope="col">First seen</th>
                    <th scope="col">Removed?</th>
                  </tr>
                </thead>
                <tbody>
                  {standing.findings.map((f) => (
                    <tr key={`${f.role} ${f.raw}`}>
                      <td>{f.role}</td>
                      <td>{f.holder}</td>
                      <td class="ops-raw">
                        <code>{f.raw}</code>
                      </td>
                      <td class="ops-when">{formatTime(f.firstSeenAt)}</td>
                      <td>{f.removed ? <span class="badge badge--done">removed</span> : <span class="badge badge--failed">still holds it</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
