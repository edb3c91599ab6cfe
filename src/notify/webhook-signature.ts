// Signing of webhook deliveries, and the check a receiver makes.
//
// Every POST carries
//   X-Jitd-Delivery:  <notification id>         same on every retry of one notification: deduplicate on it
//   X-Jitd-Timestamp: <unix seconds>            when this attempt was signed
//   X-Jitd-Signature: sha256=<hex>              HMAC-SHA256, keyed with the shared secret, of
//                                               "<X-Jitd-Timestamp>.<raw request body>"
//
// To verify, a receiver:
//   1. reads the raw body bytes (before any JSON parsing: re-serialised JSON would not match);
//   2. computes HMAC-SHA256(secret, timestamp + "." + body) and compares it with the hex after "sha256="
//      in constant time;
//   3. rejects a timestamp more than a few minutes away from its own clock (the timestamp is inside the MAC,
//      so a captured request cannot be replayed later with a fresh timestamp);
//   4. treats a repeated X-Jitd-Delivery as the same notification (retries after a timeout happen).
// `verifyWebhookSignature` below does steps 2 and 3.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_PREFIX = 'sha256=';

/** The X-Jitd-Signature value for `body` signed at `timestamp` (unix seconds, as sent in X-Jitd-Timestamp). */
export function signWebhook(secret: string, timestamp: string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `${SIGNATURE_PREFIX}${mac.digest('hex')}`;
}

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Checks a delivery's X-Jitd-Signature against the raw `body` and its X-Jitd-Timestamp, and that the
 * timestamp is within `toleranceSeconds` of `now`. The reason never includes the secret or the expected MAC.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  body: string | Buffer,
  header: string | undefined,
  now: Date,
  toleranceSeconds: number,
): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'the X-Jitd-Signature header is missing' };
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'the X-Jitd-Timestamp header is missing or not unix seconds' };
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  if (skew > toleranceSeconds) return { ok: false, reason: `the timestamp is ${skew} s away from now (more than ${toleranceSeconds} s): a stale or replayed delivery` };
  if (!header.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: `the X-Jitd-Signature header does not start with "${SIGNATURE_PREFIX}"` };
  const given = Buffer.from(header.slice(SIGNATURE_PREFIX.length), 'hex');
  const expected = Buffer.from(signWebhook(secret, timestamp, body).slice(SIGNATURE_PREFIX.length), 'hex');
  // Lengths are public (always 32 bytes when well formed); only the content needs a constant-time compare.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match the body' };
  return { ok: true };
}
