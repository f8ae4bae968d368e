/**
 * YAML files read the way Ansible's loader sees them (YAML 1.1: `yes`/`no` are booleans,
 * `0644` is octal, `<<` merges), keeping the node tree so a problem found later can be
 * reported at its file, line and column. Inventories, playbooks and vars files all load here.
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError, InputErrors, type SourcePosition } from '../errors';

export type YamlPath = readonly unknown[];

export interface YamlSource {
  file: string;
  /** The document as JS values; with `maps`, mappings are Maps so that key order survives. */
  data: unknown;
  /** Where the node at `path` was written: the key of a map entry (or its value), else the nearest ancestor. */
  locate(path: YamlPath, which?: 'key' | 'value'): SourcePosition;
}

export function parseYamlSource(text: string, file: string, options: { maps?: boolean } = {}): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false, uniqueKeys: true });
  const positionAt = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const problems = [
    ...document.errors.map((error) => new InputError(error.message.split('\n')[0], positionAt(error.pos[0]), undefined, 'YAML syntax error')),
    // An unknown tag would otherwise load as its raw text: a vault ciphertext would become the password.
    ...document.warnings
      .filter((warning) => warning.code === 'TAG_RESOLVE_FAILED')
      .map((warning) => new InputError(warning.message, positionAt(warning.pos[0]), undefined, 'Ansible Vault and custom tags are not supported')),
  ];
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new InputErrors(problems);
  return {
    file,
    data: document.toJS({ mapAsMap: options.maps ?? false, maxAliasCount: 100 }),
    locate: (path, which = 'key') => positionAt(locateOffset(document, path, which)),
  };
}

export function loadYamlSource(file: string, options: { maps?: boolean } = {}): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read file: ${(error as Error).message}`, { file });
  }
  return parseYamlSource(text, file, options);
}

function locateOffset(document: Document, path: YamlPath, which: 'key' | 'value'): number {
  let node = resolve(document, document.contents);
  let offset = node?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(segment));
      if (!pair) break;
      const value = resolve(document, pair.value as Node | null);
      offset = (which === 'value' && value?.range ? value.range[0] : (pair.key as Node | null)?.range?.[0]) ?? offset;
      node = value;
    } else if (isSeq(node) && node.items[Number(segment)] !== undefined) {
      node = resolve(document, node.items[Number(segment)] as Node);
      offset = node?.range?.[0] ?? offset;
    } else {
      break;
    }
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
