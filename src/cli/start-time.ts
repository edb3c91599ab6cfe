// `jitd request --start`: when a scheduled request should begin, as people write it. Pure (now is passed in)
// and in the CLI's local time zone, because "22:00" means tonight where the person is.
import { InvalidInputError } from '../core/errors.ts';
import { tryParseDuration } from '../core/duration.ts';

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * `22:00` (the next 22:00 from now, local time), `+2h` or `in 2h` (relative), `2026-11-24 22:00` (local),
 * or a full ISO 8601 time with a zone. Throws InvalidInputError naming the accepted forms.
 */
export function parseStartTime(text: string, now: Date): Date {
  const input = text.trim();
  const clock = CLOCK.exec(input);
  if (clock) {
    const at = new Date(now);
    at.setHours(Number(clock[1]), Number(clock[2]), 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    return at;
  }
  const relative = /^(?:\+|in\s+)(\S+)$/.exec(input);
  const relativeMs = relative ? tryParseDuration(relative[1]!) : undefined;
  if (relativeMs !== undefined) return new Date(now.getTime() + relativeMs);
  const local = LOCAL_DATE_TIME.exec(input);
  if (local) {
    const [year, month, day] = [Number(local[1]), Number(local[2]) - 1, Number(local[3])];
    const at = new Date(year, month, day, Number(local[4]), Number(local[5]));
    // new Date rolls 2026-02-30 over into March: such a day does not exist.
    if (at.getFullYear() === year && at.getMonth() === month && at.getDate() === day) return at;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(input)) {
    const at = new Date(input);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw InvalidInputError.of([{ path: 'start', message: `"${text}" is not a start time (use 22:00, +2h, "in 30m", "2026-11-24 22:00" or an ISO 8601 time with a zone)` }]);
}
