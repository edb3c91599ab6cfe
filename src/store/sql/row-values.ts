// Small conversions shared by the row mappers: Dates are integer milliseconds, absent values are NULL,
// and NULL reads back as an absent property (never `undefined` or `null` in a domain object).

export function msOrNull(date: Date | undefined): number | null {
  return date === undefined ? null : date.getTime();
}

export function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

/** `{ [key]: Date }` when the column holds a time, `{}` when it is NULL: spread it into the domain object. */
export function dateField<K extends string>(key: K, ms: number | null): { [P in K]?: Date } {
  return (ms === null ? {} : { [key]: new Date(ms) }) as { [P in K]?: Date };
}

/** `{ [key]: value }` when the column is not NULL, `{}` otherwise. */
export function field<K extends string, T>(key: K, value: T | null): { [P in K]?: T } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: T };
}
