// Durations as people write them in config and on the command line: 90s, 30m, 1h, 1h30m, 2d.
import { InvalidInputError } from './errors.ts';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export const DURATION_EXAMPLES = '30m, 1h, 1h30m, 2d, 90s';

/** Parses a duration; returns undefined when the text is not one. */
export function tryParseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const match = DURATION.exec(trimmed);
  if (!match || trimmed === '') return undefined;
  const [, d, h, m, s] = match;
  const ms = [d, h, m, s].reduce<number>((sum, part, index) => {
    const unit = (['d', 'h', 'm', 's'] as const)[index] as Unit;
    return sum + (part === undefined ? 0 : Number(part) * UNIT_MS[unit]);
  }, 0);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

export function parseDuration(text: string, field = 'duration'): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw new InvalidInputError(`${field}: "${text}" is not a duration (e.g. ${DURATION_EXAMPLES})`, [
      { path: field, message: `"${text}" is not a duration (e.g. ${DURATION_EXAMPLES})` },
    ]);
  }
  return ms;
}

/** Formats milliseconds the way parseDuration reads them, rounded down to whole seconds: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return ms <= 0 ? '0s' : '<1s';
  let rest = Math.floor(ms / 1_000) * 1_000;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * UNIT_MS[unit];
    }
  }
  return out;
}
