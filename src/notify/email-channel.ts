// E-mail delivery over SMTP with nodemailer.
//
// One plain (non-pooled) nodemailer transport: every send opens its own connection and closes it. Notices
// are few (a handful per access request), so a pool would mostly hold idle sockets that the server drops;
// a fresh connection per message means an SMTP outage or restart never leaves a stale pooled socket behind,
// and every attempt the outbox worker makes is independent, with its own deadline.
//
// The Message-ID is derived from the notification (outbox) id, so that a message sent again after a lost
// answer is recognisable as the same message. The password is handed to nodemailer only; nothing here logs.
import { readFileSync } from 'node:fs';
import nodemailer, { type NodemailerError, type SMTPSentMessageInfo, type SMTPTransportOptions, type Transporter } from 'nodemailer';
import type { DeliveryOutcome, Notification, RejectedRecipient } from './notification.ts';
import { renderEmail } from './render.ts';
import { describeCertificateError, isCertificateError } from './tls-errors.ts';

export interface EmailChannelSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  readonly secure: boolean;
  /** Refuse to send unless the server upgrades the connection with STARTTLS. */
  readonly requireTls: boolean;
  readonly tls?: {
    /** PEM file of a CA to trust for the server certificate (besides the system ones). */
    readonly caFile?: string;
    readonly rejectUnauthorized: boolean;
  };
  readonly auth?: { readonly user: string; readonly pass: string };
  /** The From header, e.g. `jitd <jitd@example.com>`; also the domain of the Message-ID. */
  readonly from: string;
  /** Deadline for one delivery attempt: connect, TLS, login and sending the message. */
  readonly timeoutMs: number;
}

export interface EmailChannel {
  send(notification: Notification, recipients: readonly string[]): Promise<DeliveryOutcome>;
  /** Connects (and logs in) without sending: for start-up checks. */
  verify(): Promise<DeliveryOutcome>;
  close(): void;
}

/** `<jitd.<id>@<domain of from>>`: stable across retries of one notification, unique across notifications. */
export function messageIdFor(notificationId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'jitd.invalid';
  // Keep the id inside dot-atom text (RFC 5322 msg-id); anything else is written as =XX.
  const local = notificationId.replace(/[^A-Za-z0-9._-]/g, (c) => `=${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `<jitd.${local}@${domain}>`;
}

function readCa(caFile: string | undefined): Buffer | undefined {
  if (caFile === undefined) return undefined;
  try {
    return readFileSync(caFile);
  } catch (err) {
    throw new Error(`smtp tls.caFile ${caFile} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

function transportOptions(settings: EmailChannelSettings): SMTPTransportOptions {
  const ca = readCa(settings.tls?.caFile);
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls,
    tls: { rejectUnauthorized: settings.tls?.rejectUnauthorized ?? true, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    logger: false,
    debug: false,
  };
}

/**
 * A failed attempt as an outcome. The server's verdict on the message decides: a 5xx reply to the envelope
 * or the data is permanent (the same message would be refused again), a 4xx reply is temporary. Everything
 * that is not about this message — connection refused, timeouts, TLS and login problems — is retryable:
 * it holds for every notification alike, and once the server is back (or the settings fixed) the
 * notification should still arrive rather than be dropped.
 */
export function smtpFailure(err: unknown, server: string, timeoutMs: number): DeliveryOutcome & { ok: false } {
  const e = err as NodemailerError;
  const code = e.code ?? 'unknown';
  const original = e.originalCode ?? code;
  const message = (e.message ?? String(err)).trim();
  // The whole-attempt deadline and nodemailer's per-step timeouts are the same length and race: one text.
  if (code === 'EABORT' || code === 'ETIMEDOUT') return { ok: false, retryable: true, error: `SMTP server ${server} did not finish within ${timeoutMs} ms` };
  if (original === 'ECONNREFUSED') return { ok: false, retryable: true, error: `SMTP server ${server} refused the connection (ECONNREFUSED)` };
  if (code === 'EAUTH' || code === 'ENOAUTH') return { ok: false, retryable: true, error: `SMTP server ${server} refused the login: ${message}` };
  if (isCertificateError(original)) return { ok: false, retryable: true, error: `SMTP server ${server} cannot be used: ${describeCertificateError(original)}` };
  if (code === 'ETLS' || original.startsWith('ERR_SSL')) return { ok: false, retryable: true, error: `TLS with SMTP server ${server} failed (${original}): ${message}` };
  if (e.responseCode !== undefined) {
    const permanent = e.permanent ?? e.responseCode >= 500;
    const refused = (e.rejectedErrors ?? []).map((r) => `${r.recipient ?? '?'} (${r.response ?? r.message})`);
    const what = code === 'EENVELOPE' && refused.length > 0 ? `refused every recipient: ${refused.join('; ')}` : `refused the message: ${e.response ?? message}`;
    return { ok: false, retryable: !permanent, error: `SMTP server ${server} ${what}` };
  }
  return { ok: false, retryable: true, error: `SMTP delivery through ${server} failed (${original}): ${message}` };
}

function rejectedRecipients(info: SMTPSentMessageInfo): RejectedRecipient[] {
  const errors = info.rejectedErrors ?? [];
  return info.rejected.map((recipient) => {
    const err = errors.find((e) => e.recipient === recipient);
    const permanent = err?.permanent ?? (err?.responseCode ?? 550) >= 500;
    return { recipient, retryable: !permanent, error: err?.response ?? err?.message ?? 'refused' };
  });
}

export function createEmailChannel(settings: EmailChannelSettings): EmailChannel {
  const server = `${settings.host}:${settings.port}`;
  const transport: Transporter<SMTPSentMessageInfo, SMTPTransportOptions> = nodemailer.createTransport(transportOptions(settings));
  return {
    async send(notification, recipients) {
      if (recipients.length === 0) return { ok: false, retryable: false, error: 'the e-mail has no recipients' };
      let content;
      try {
        content = renderEmail(notification);
      } catch (err) {
        return { ok: false, retryable: false, error: `the e-mail cannot be rendered: ${(err as Error).message}` };
      }
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: [...recipients],
          subject: content.subject,
          text: content.text,
          html: content.html,
          messageId: messageIdFor(notification.id, settings.from),
          // The time of the event, so that every retry sends the very same message.
          ...(Number.isNaN(Date.parse(notification.occurredAt)) ? {} : { date: new Date(notification.occurredAt) }),
          priority: notification.event === 'breakglass.granted' ? 'high' : 'normal',
          headers: {
            'X-Jitd-Delivery': notification.id,
            'X-Jitd-Event': notification.event,
            // RFC 3834: tells auto-responders (out of office) not to answer.
            'Auto-Submitted': 'auto-generated',
          },
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
        const rejected = rejectedRecipients(info);
        const detail = `SMTP server ${server} accepted the message for ${info.accepted.join(', ')} (${info.response})`;
        if (rejected.length === 0) return { ok: true, detail };
        return { ok: true, detail: `${detail}; refused ${rejected.map((r) => r.recipient).join(', ')}`, rejected };
      } catch (err) {
        return smtpFailure(err, server, settings.timeoutMs);
      }
    },
    async verify() {
      try {
        await transport.verify();
        return { ok: true, detail: `SMTP server ${server} accepted the connection${settings.auth ? ' and the login' : ''}` };
      } catch (err) {
        return smtpFailure(err, server, settings.timeoutMs);
      }
    },
    close() {
      transport.close();
    },
  };
}
