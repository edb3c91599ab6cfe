// Messages on a page: what went wrong (announced at once) and what just happened (announced politely).
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.ts';

export function ErrorNotice({ error, title }: { readonly error: ApiError | undefined; readonly title?: string }) {
  if (!error) return null;
  return (
    <div class="notice notice--error" role="alert">
      {title ? <p class="notice-title">{title}</p> : null}
      <p>{error.message}</p>
      {error.issues.length > 0 ? (
        <ul>
          {error.issues.map((issue) => (
            <li key={issue.path}>
              <code>{issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      {error.status === 401 ? (
        <p>
          <a href={`/auth/login?return=${encodeURIComponent(location.pathname + location.search)}`}>Sign in again</a>
        </p>
      ) : null}
    </div>
  );
}

export function SuccessNotice({ children }: { readonly children: ComponentChildren }) {
  return (
    <div class="notice notice--success" role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { readonly what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
