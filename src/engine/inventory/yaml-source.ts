/**
 * Reads a YAML file the way Ansible's loader sees it (YAML 1.1: `yes`/`no` are booleans,
 * `0644` is octal, `<<` merges) and keeps the node tree so that a problem found later can be
 * reported at its line and column.
 */
import { isAlias, isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError, InputErrors, type SourcePosition } from '../../errors';

export interface YamlSource {
  file: string;
  /** The document as JS values; mappings are Maps so that key order survives. */
  data: unknown;
  /** Where the key at the end of `path` was written (falls back to the deepest key found). */
  locate(path: readonly unknown[]): SourcePosition;
}

export function readYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false });
  const positionAt = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const problems = [
    ...document.errors.map((error) => new InputError(error.message, positionAt(error.pos[0]), undefined, 'YAML syntax error')),
    // An unknown tag would otherwise load as its raw text: a vault ciphertext would become the password.
    ...document.warnings
      .filter((warning) => warning.code === 'TAG_RESOLVE_FAILED')
      .map((warning) => new InputError(warning.message, positionAt(warning.pos[0]), undefined, 'Ansible Vault and custom tags are not supported')),
  ];
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new InputErrors(problems);
  return {
    file,
    data: document.toJS({ mapAsMap: true }),
    locate: (path) => positionAt(locateOffset(document, path)),
  };
}

function locateOffset(document: Document, path: readonly unknown[]): number {
  let node = resolve(document, document.contents);
  let offset = node?.range?.[0] ?? 0;
  for (const key of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(key));
    if (!pair) break;
    offset = (pair.key as Node | null)?.range?.[0] ?? offset;
    node = resolve(document, pair.value as Node | null);
  }
  return offset;
}

function resolve(document: Document, node: Node | null | undefined): Node | undefined {
  if (isAlias(node)) return (node.resolve(document) as Node | undefined) ?? undefined;
  return node ?? undefined;
}

/** Turns loaded YAML (Maps) into plain variables; keys become strings as they are in templates. */
export function plainValue(value: unknown): unknown {
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([key, item]) => [String(key), plainValue(item)]));
  }
  if (value instanceof Set) return [...value].map(plainValue);
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}

/** True when the text's top level is a YAML mapping, syntax errors or not: how a file without extension shows it is YAML. */
export function isYamlMapping(text: string): boolean {
  return isMap(parseDocument(text, { version: '1.1' }).contents);
}
