// The portal's frame: who is signed in, the navigation, and which page the address shows.
import { ErrorBoundary, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from './api.ts';
import { ErrorNotice, Loading } from './components/notice.tsx';
import { Page } from './components/page.tsx';
import { AdminPage } from './pages/admin.tsx';
import { ApprovalsPage } from './pages/approvals.tsx';
import { AuditPage } from './pages/audit.tsx';
import { KpiPage } from './pages/kpi.tsx';
import { LeasePage } from './pages/lease.tsx';
import { MyAccessPage } from './pages/my-access.tsx';
import { RequestPage } from './pages/request.tsx';
import { RolesPage } from './pages/roles.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { seesAll, SessionContext } from './session.ts';
import type { Me } from './types.ts';

interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly show: (me: Me) => boolean;
}

const NAV: readonly NavItem[] = [
  { href: '/', label: 'Request access', show: () => true },
  { href: '/access', label: 'My access', show: () => true },
  { href: '/approvals', label: 'Approvals', show: () => true },
  { href: '/admin', label: 'Operations', show: seesAll },
  { href: '/audit', label: 'Audit trail', show: seesAll },
  { href: '/kpi', label: 'KPIs', show: seesAll },
];

function Nav({ me }: { readonly me: Me }) {
  const { path } = useLocation();
  const current = (href: string) => (href === '/' ? path === '/' || path === '/roles' : path.startsWith(href));
  return (
    <nav aria-label="Main">
      <ul class="nav">
        {NAV.filter((item) => item.show(me)).map((item) => (
          <li key={item.href}>
            <a href={item.href} aria-current={current(item.href) ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function SignOut() {
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const signOut = async () => {
    try {
      await api.post('/auth/logout');
      location.assign('/');
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : undefined);
    }
  };
  return (
    <>
      <button type="button" class="button button--quiet" onClick={() => void signOut()}>
        Sign out
      </button>
      <ErrorNotice error={error} />
    </>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        There is no page at this address. <a href="/">Request access</a> or see <a href="/access">your access</a>.
      </p>
    </Page>
  );
}

function Shell({ me }: { readonly me: Me }) {
  return (
    <SessionContext.Provider value={me}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          jitd
        </a>
        <Nav me={me} />
        <div class="who">
          <span>
            Signed in as <strong>{me.displayName ?? me.principal}</strong>
            {me.admin ? ' (admin)' : me.auditor ? ' (auditor)' : ''}
          </span>
          <SignOut />
        </div>
      </header>
      <main id="main">
        <ErrorBoundary>
          <Router>
            <Route path="/" component={RolesPage} />
            <Route path="/roles" component={RolesPage} />
            <Route path="/access" component={MyAccessPage} />
            <Route path="/approvals" component={ApprovalsPage} />
            <Route path="/requests/:id" component={RequestPage} />
            <Route path="/leases/:id" component={LeasePage} />
            <Route path="/admin" component={AdminPage} />
            <Route path="/audit" component={AuditPage} />
            <Route path="/kpi" component={KpiPage} />
            <Route default component={NotFound} />
          </Router>
        </ErrorBoundary>
      </main>
    </SessionContext.Provider>
  );
}

export function App() {
  const [me, setMe] = useState<Me | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  useEffect(() => {
    api.get<Me>('/v1/me').then(
      (value) => {
        setCsrfToken(value.csrfToken);
        setMe(value);
      },
      (caught: unknown) => setError(caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught))),
    );
  }, []);
  if (error?.status === 401) return <SignInPage />;
  if (error) {
    return (
      <main id="main" class="center">
        <h1>jitd</h1>
        <ErrorNotice error={error} title="The portal could not start" />
      </main>
    );
  }
  if (!me) {
    return (
      <main id="main" class="center">
        <Loading what="your session" />
      </main>
    );
  }
  return (
    <LocationProvider>
      <Shell me={me} />
    </LocationProvider>
  );
}
