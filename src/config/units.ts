// The textual units jitd.yaml accepts: durations (the core's forms plus milliseconds), sizes and
// listen addresses. Each parser returns undefined for text that is not one; the messages say what is.
import { DURATION_EXAMPLES, formatDuration, tryParseDuration } from '../core/duration.ts';

const MILLIS = /^(.*?)(\d+)ms$/;

/**
 * A duration in milliseconds: everything core's parseDuration reads (90s, 30m, 1h30m, 2d) plus a
 * trailing milliseconds part (250ms, 1s500ms), which only sub-second settings such as the scheduler's
 * poll interval need.
 */
export function parseConfigDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const millis = MILLIS.exec(trimmed);
  if (!millis) return tryParseDuration(trimmed);
  const [, rest = '', ms = '0'] = millis;
  const restMs = rest === '' ? 0 : tryParseDuration(rest);
  if (restMs === undefined) return undefined;
  const total = restMs + Number(ms);
  return total > 0 ? total : undefined;
}

export function notADuration(input: unknown): string {
  return `${quote(input)} is not a duration (e.g. ${DURATION_EXAMPLES})`;
}

const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const SIZE_UNIT = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

/** A size in bytes: 4096, 512b, 64kb, 1mb (binary units). */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input > 0 ? input : undefined;
  const match = SIZE.exec(input.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase() as keyof typeof SIZE_UNIT;
  const bytes = Number(match[1]) * SIZE_UNIT[unit];
  return bytes > 0 ? bytes : undefined;
}

export function notASize(input: unknown): string {
  return `${quote(input)} is not a size (e.g. 64kb, 1mb, 4096)`;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;

/** `host:port` or `[ipv6]:port`; port 0 asks the system for a free port (useful in tests). */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = HOST_PORT.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}

export function notAListenAddress(input: unknown): string {
  return `${quote(input)} is not host:port (e.g. 127.0.0.1:8080, 0.0.0.0:443, [::1]:8080)`;
}

/** How a user's value is shown inside a message: text in quotes, numbers as written. */
export function quote(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  if (input === null || input === undefined) return 'nothing';
  return Array.isArray(input) ? 'a list' : 'a mapping';
}

/** Milliseconds written back the way the config reads them: 250ms, 90s, 1h30m, 1s500ms. */
export function formatConfigDuration(ms: number): string {
  const seconds = Math.floor(ms / 1_000);
  const rest = ms - seconds * 1_000;
  const whole = seconds > 0 ? formatDuration(seconds * 1_000) : '';
  return rest > 0 || whole === '' ? `${whole}${rest}ms` : whole;
}
