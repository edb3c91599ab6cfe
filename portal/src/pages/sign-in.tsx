// Shown when there is no session: one button to the provider; the browser comes back to where it was.
import { useEffect } from 'preact/hooks';

export function SignInPage() {
  const returnTo = location.pathname + location.search;
  useEffect(() => {
    document.title = 'Sign in · jitd';
  }, []);
  return (
    <main id="main" class="center">
      <section class="card sign-in" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">jitd</h1>
        <p>Just-in-time access: ask for the role you need, for as long as you need it, and it goes away by itself.</p>
        <p>
          <a class="button" href={`/auth/login?return=${encodeURIComponent(returnTo)}`}>
            Sign in
          </a>
        </p>
        <p class="hint">You sign in with your organisation's identity provider.</p>
      </section>
    </main>
  );
}
