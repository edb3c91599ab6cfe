// Webhook delivery: one signed JSON POST per notification, in the format the receiver reads (jitd, Slack,
// Teams). See webhook-signature.ts for the headers and how a receiver checks them.
//
// Sent with node:http(s) rather than fetch: fetch cannot trust an extra CA for one destination without the
// undici package (only process-wide), and a private receiver behind an internal CA is a common setup.
// No redirects are followed (a webhook URL that redirects is misconfigured, and following would send the
// signed body to wherever the redirect points). Error texts name the URL's origin only: Slack and Teams
// webhook URLs carry their secret in the path.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DeliveryOutcome, Notification } from './notification.ts';
import { renderWebhookBody, type WebhookFormat } from './render.ts';
import { describeCertificateError, isCertificateError } from './tls-errors.ts';
import { signWebhook } from './webhook-signature.ts';

export { signWebhook, verifyWebhookSignature, SIGNATURE_PREFIX, type SignatureCheck } from './webhook-signature.ts';

export interface WebhookChannelSettings {
  readonly url: string;
  readonly format: WebhookFormat;
  /** HMAC-SHA256 key for X-Jitd-Signature. */
  readonly secret: string;
  /** Deadline for one delivery attempt: connect, send and read the answer. */
  readonly timeoutMs: number;
  /** PEM file of a CA to trust (besides the system ones) for an https URL. */
  readonly tls?: { readonly caFile?: string };
}

export interface WebhookChannel {
  send(notification: Notification): Promise<DeliveryOutcome>;
}

interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/** Enough of an error answer to say what went wrong, on one line. */
const ANSWER_SNIPPET_MAX = 300;

function parseTarget(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new Error('webhook url is not a URL');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error(`webhook url must be http(s), not ${target.protocol}`);
  return target;
}

function readCa(caFile: string | undefined): Buffer | undefined {
  if (caFile === undefined) return undefined;
  try {
    return readFileSync(caFile);
  } catch (err) {
    throw new Error(`webhook tls.caFile ${caFile} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat === '') return '';
  return `: ${flat.length > ANSWER_SNIPPET_MAX ? `${flat.slice(0, ANSWER_SNIPPET_MAX)}…` : flat}`;
}

function post(target: URL, body: string, headers: Record<string, string>, ca: Buffer | undefined, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers, agent: false, signal: AbortSignal.timeout(timeoutMs) } as const;
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        // Keep only the start: the answer is for an error message, not for reading a whole page.
        if (size < 4096) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          body: Buffer.concat(chunks).toString('utf8').slice(0, 4096),
        });
      });
      res.on('error', reject);
    };
    const req = target.protocol === 'https:' ? httpsRequest(target, { ...options, ...(ca ? { ca } : {}) }, onResponse) : httpRequest(target, options, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

function networkFailure(err: unknown, origin: string, timeoutMs: number): DeliveryOutcome {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') {
    return { ok: false, retryable: true, error: `webhook ${origin} did not answer within ${timeoutMs} ms` };
  }
  if (isCertificateError(e.code)) return { ok: false, retryable: true, error: `webhook ${origin} cannot be used: ${describeCertificateError(e.code ?? '')}` };
  const code = e.code ?? 'unknown error';
  const text = e.message ?? String(err);
  // Network trouble and TLS trust problems alike are retried: the notification is not at fault, and once
  // the receiver is back (or the CA fixed) it should still arrive.
  return { ok: false, retryable: true, error: `webhook ${origin} could not be reached (${code}): ${text}` };
}

function classify(answer: HttpAnswer, origin: string, now: Date): DeliveryOutcome {
  const { status } = answer;
  const said = `webhook ${origin} answered ${status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  if (status >= 200 && status < 300) return { ok: true, detail: said };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
    return { ok: false, retryable: true, error: `${said}${snippet(answer.body)}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (status >= 300 && status < 400) {
    return { ok: false, retryable: false, error: `${said}: redirects are not followed, configure the URL it redirects to` };
  }
  return { ok: false, retryable: false, error: `${said}${snippet(answer.body)}` };
}

export function createWebhookChannel(settings: WebhookChannelSettings): WebhookChannel {
  const target = parseTarget(settings.url);
  const ca = target.protocol === 'https:' ? readCa(settings.tls?.caFile) : undefined;
  const origin = target.origin;
  return {
    async send(notification) {
      if (!/^[\x21-\x7e]{1,200}$/.test(notification.id)) {
        return { ok: false, retryable: false, error: `notification id ${JSON.stringify(notification.id)} cannot be sent in a header (this is a bug)` };
      }
      let body: string;
      try {
        body = JSON.stringify(renderWebhookBody(notification, settings.format));
      } catch (err) {
        return { ok: false, retryable: false, error: `the webhook body cannot be rendered: ${(err as Error).message}` };
      }
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': 'jitd-notify',
        'X-Jitd-Delivery': notification.id,
        'X-Jitd-Event': notification.event,
        'X-Jitd-Timestamp': timestamp,
        'X-Jitd-Signature': signWebhook(settings.secret, timestamp, body),
      };
      try {
        return classify(await post(target, body, headers, ca, settings.timeoutMs), origin, new Date());
      } catch (err) {
        return networkFailure(err, origin, settings.timeoutMs);
      }
    },
  };
}
