// The printed table (figure, value, target, met?) and the JSON file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface Row {
  readonly figure: string;
  readonly value: string;
  readonly target?: string;
  /** undefined: no target for this figure. */
  readonly met?: boolean;
}

/** What one section of the benchmark (a directory) gives the report: its table rows and its JSON. */
export interface SectionResult<J> {
  readonly rows: readonly Row[];
  readonly json: J;
}

/** A heading row: printed as a separator line with the text. */
export const section = (title: string): Row => ({ figure: `— ${title}`, value: '' });

export function formatTable(rows: readonly Row[]): string {
  const header = { figure: 'figure', value: 'value', target: 'target', met: 'met?' };
  const cells = rows.map((r) => ({ figure: r.figure, value: r.value, target: r.target ?? '', met: r.met === undefined ? '' : r.met ? 'yes' : 'NO' }));
  const width = (key: keyof typeof header) => Math.max(header[key].length, ...cells.map((c) => c[key].length));
  const w = { figure: width('figure'), value: width('value'), target: width('target'), met: width('met') };
  const line = (c: typeof header) => `${c.figure.padEnd(w.figure)}  ${c.value.padStart(w.value)}  ${c.target.padEnd(w.target)}  ${c.met}`.trimEnd();
  const rule = '-'.repeat(w.figure + w.value + w.target + w.met + 6);
  return [line(header), rule, ...cells.map((c) => (c.figure.startsWith('— ') && c.value === '' ? c.figure : line(c)))].join('\n');
}

export const ms = (value: number | null | undefined): string => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} ms`);
export const sec = (value: number | null | undefined): string => (value === null || value === undefined ? 'n/a' : `${value.toFixed(2)} s`);
export const perSecond = (value: number | null | undefined): string => (value === null || value === undefined ? 'n/a' : `${value.toFixed(1)} /s`);

/** Writes the JSON (creating the folder); returns the absolute path. */
export async function writeJson(path: string, data: unknown): Promise<string> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
