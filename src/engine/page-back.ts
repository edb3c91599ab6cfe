// Reading a whole time window from the store, which hands out at most one page of rows per call.

/** The store's largest page (MAX_LIMIT in src/store/sql/sql-store.ts). */
export const PAGE_SIZE = 1000;

/**
 * Every row of a newest-first list from `since` on, page by page (the KPI and always-on reports page with it). Each
 * next page asks for rows before the oldest time seen plus 1 ms, so rows sharing that millisecond with the page
 * boundary are read again (and de-duplicated by id) instead of being skipped.
 */
export async function pageBack<T extends { readonly id: string }>(read: (before: Date | undefined) => Promise<readonly T[]>, timeOf: (row: T) => Date): Promise<T[]> {
  const rows = new Map<string, T>();
  let before: Date | undefined;
  for (;;) {
    const page = await read(before);
    const size = rows.size;
    for (const row of page) if (!rows.has(row.id)) rows.set(row.id, row);
    const oldest = page.at(-1);
    if (page.length < PAGE_SIZE || oldest === undefined) return [...rows.values()];
    const oldestMs = timeOf(oldest).getTime();
    // A whole page in one millisecond, all seen already: more rows share it than one page holds. Go on past it
    // rather than loop (the rest of that millisecond is lost; a thousand grants in one ms does not happen).
    before = new Date(rows.size === size ? oldestMs : oldestMs + 1);
  }
}
