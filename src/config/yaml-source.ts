// jitd.yaml parsed with source positions, so that any field path can be turned back into line:col.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { PathSegment } from './issue.ts';

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface YamlProblem extends Position {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

export interface YamlSource {
  /** Syntax errors and warnings (unresolved tags, several documents…): the data is not trustworthy. */
  readonly syntaxProblems: readonly YamlProblem[];
  /** Keys defined twice in the same mapping; the data is still usable (the last one wins). */
  readonly duplicateKeys: readonly YamlProblem[];
  /** The plain data; null for an empty file. */
  toJS(): unknown;
  /**
   * Where a field path is in the file: its value (or, with `at: 'key'`, its key). When the path does not
   * exist, e.g. a missing required field, the closest existing parent: the key that names it.
   */
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): Position;
}

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  // Duplicates are found by our own walk below, which knows their field path and the first definition.
  // Merge keys (`<<: *anchor`) let roles share fields; a problem in a merged field is placed at the
  // mapping that merges it.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  const position = (offset: number): Position => lineCounter.linePos(offset);
  const syntaxProblems = [...doc.errors, ...doc.warnings].map((error) => ({
    ...position(error.pos[0]),
    path: [],
    message: `YAML: ${error.message}`,
  }));
  return {
    syntaxProblems,
    duplicateKeys: syntaxProblems.length > 0 ? [] : findDuplicateKeys(doc, position),
    toJS: () => doc.toJS({ maxAliasCount: 100 }) as unknown,
    locate: (path, at = 'value') => locate(doc, path, at, position),
  };
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  return key === null || key === undefined ? undefined : String(key);
}

function startOf(node: unknown): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}

function resolveAlias(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function locate(doc: Document, path: readonly PathSegment[], at: 'key' | 'value', position: (offset: number) => Position): Position {
  let node: unknown = doc.contents;
  // The key naming `node` in its parent mapping, if any.
  let key: unknown = undefined;
  let found = true;
  for (const segment of path) {
    node = resolveAlias(doc, node);
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item) === String(segment));
      if (!pair) {
        found = false;
        break;
      }
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      key = undefined;
      node = node.items[segment];
    } else {
      found = false;
      break;
    }
  }
  const offset = found && at === 'value' ? (startOf(node) ?? startOf(key)) : (startOf(key) ?? startOf(node));
  return offset === undefined ? { line: 1, col: 1 } : position(offset);
}

function findDuplicateKeys(doc: Document, position: (offset: number) => Position): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const walk = (node: unknown, path: readonly PathSegment[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const name = keyText(pair);
        if (name === undefined) continue;
        const offset = startOf(pair.key);
        if (seen.has(name)) {
          const first = seen.get(name);
          const firstLine = first === undefined ? '' : ` (first defined on line ${position(first).line})`;
          problems.push({ ...(offset === undefined ? { line: 1, col: 1 } : position(offset)), path: [...path, name], message: `duplicate key${firstLine}` });
        } else {
          seen.set(name, offset);
        }
        walk(pair.value, [...path, name]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    }
  };
  walk(doc.contents, []);
  return problems;
}
