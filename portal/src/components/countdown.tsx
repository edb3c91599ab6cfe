// Time left on a lease, ticking every second. Screen readers get the time in words on the element's
// label, not an announcement every second.
import { useEffect, useState } from 'preact/hooks';
import { formatCountdown, spokenTimeLeft } from '../format.ts';

export function Countdown({ expiresAt, onZero }: { readonly expiresAt: string; readonly onZero?: () => void }) {
  const end = new Date(expiresAt).getTime();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = end - now;
  useEffect(() => {
    if (left <= 0) onZero?.();
    // Only when it crosses zero.
  }, [left <= 0]);
  return (
    <span class="countdown" role="timer" aria-label={spokenTimeLeft(left)} data-expires-at={expiresAt}>
      {formatCountdown(left)}
    </span>
  );
}
