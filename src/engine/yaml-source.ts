/**
 * YAML files read the way Ansible's loader sees them (YAML 1.1 as PyYAML resolves it: `yes`/`no`
 * are booleans but `y`/`n` strings, `0644` is octal, a date stays its text, `<<` merges; see
 * yaml-scalars.ts), keeping the node tree so a problem found later can be
 * reported at its file, line and column. Inventories, playbooks and vars files all load here.
 *
 * What would exhaust the controller is refused at its line before it costs much: a document
 * larger than MAX_YAML_BYTES, more than MAX_ALIASES aliases, aliases that expand to more than
 * MAX_ALIAS_EXPANSION values (a "billion laughs" chain of anchors), an alias inside the value
 * it stands for (a value that never ends) and an alias with no anchor.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Alias, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { InputError, InputErrors, type SourcePosition } from '../errors';
import { readInputFile } from './input-file';
import { pyyamlTags } from './yaml-scalars';

/**
 * The yaml package holds about 0.5 KB per byte of a dense document (`[1,1,1,...]`: 1 MiB took
 * 570 MB and 5 s), so this keeps the worst case near 1 GB. Real playbooks and vars files are
 * a few KB; 2 MiB is a YAML inventory of some 25 000 hosts.
 */
export const MAX_YAML_BYTES = 2 * 1024 * 1024;
/**
 * The yaml package finds each alias's anchor by a scan of the document's aliases and anchors,
 * so n aliases cost n² (20 000 took 11 s); 10 000 is far above the few dozen of a real file.
 */
export const MAX_ALIASES = 10_000;
/** Values that aliases add once expanded: a 1000-host inventory that merges a 20-key `<<: *defaults` into each host adds 41 000. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

export type YamlPath = readonly unknown[];

export interface YamlSource {
  file: string;
  /** The document as JS values; with `maps`, mappings are Maps so that key order survives. */
  data: unknown;
  /** Where the node at `path` was written: the key of a map entry (or its value), else the nearest ancestor. */
  locate(path: YamlPath, which?: 'key' | 'value'): SourcePosition;
}

export function parseYamlSource(text: string, file: string, options: { maps?: boolean } = {}): YamlSource {
  if (Buffer.byteLength(text) > MAX_YAML_BYTES) {
    throw new InputError(`the YAML document is larger than ${MAX_YAML_BYTES / 1024 / 1024} MiB, the most lvs reads`, { file }, undefined, 'an INI inventory, or several files in an inventory directory, can hold more hosts');
  }
  const lineCounter = new LineCounter();
  // Duplicate keys are found by checkNodes: the yaml package compares each key with all before it (n²).
  const document = parseDocument(text, { version: '1.1', customTags: pyyamlTags, lineCounter, prettyErrors: false, uniqueKeys: false });
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
  const nodes: NodeIndex = { anchoredBy: checkNodes(document, (node) => positionAt(node.range?.[0] ?? 0)), keysOf: new WeakMap() };
  return {
    file,
    // checkNodes has bounded the aliases exactly; the package's own limit counts per anchor and lets many small chains through.
    data: document.toJS({ mapAsMap: options.maps ?? false, maxAliasCount: -1 }),
    locate: (path, which = 'key') => positionAt(locateOffset(document, nodes, path, which)),
  };
}

export function loadYamlSource(file: string, options: { maps?: boolean } = {}): YamlSource {
  let text: string;
  try {
    text = readInputFile(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read file: ${(error as Error).message}`, { file });
  }
  return parseYamlSource(text, file, options);
}

/**
 * What locating a path needs, built once so that locating every host of a large group is not
 * n²: the node each alias stands for (the yaml package scans the document to find it), and
 * each map's entries by key.
 */
interface NodeIndex {
  anchoredBy: Map<Alias, Node>;
  keysOf: WeakMap<YAMLMap, Map<string, Pair>>;
}

/**
 * Refuses duplicate keys and aliases that would exhaust the controller. Walks the node tree
 * once, counting what each anchored node holds with its own aliases expanded, so the cost of
 * every alias is known without expanding any. Returns the node each alias stands for.
 */
function checkNodes(document: Document, positionOf: (node: Node) => SourcePosition): Map<Alias, Node> {
  /** A node with an anchor; its size is unknown while the walk is still inside it. */
  const anchors = new Map<string, { node: Node; size?: number }>();
  const anchoredBy = new Map<Alias, Node>();
  let aliases = 0;
  let expansion = 0;
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > MAX_ALIASES) throw new InputError(`too many aliases: at most ${MAX_ALIASES} in one file`, positionOf(node));
      const anchored = anchors.get(node.source);
      if (!anchored) throw new InputError(`alias *${node.source} has no anchor &${node.source} before it`, positionOf(node), undefined, 'YAML syntax error');
      if (anchored.size === undefined) {
        throw new InputError(`alias *${node.source} is inside the value it stands for, so that value would never end`, positionOf(node));
      }
      anchoredBy.set(node, anchored.node);
      expansion += anchored.size;
      if (expansion > MAX_ALIAS_EXPANSION) {
        throw new InputError(`too many aliases: they expand to more than ${MAX_ALIAS_EXPANSION} values, at most ${MAX_ALIAS_EXPANSION}`, positionOf(node));
      }
      return anchored.size;
    }
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) return 0;
    // A later anchor of the same name takes over, even one inside this node, as YAML says.
    const anchored: { node: Node; size?: number } = { node };
    if (node.anchor) anchors.set(node.anchor, anchored);
    let total = 1;
    if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key) && typeof pair.key.value !== 'symbol') {
          if (keys.has(pair.key.value)) throw new InputError('Map keys must be unique', positionOf(pair.key), undefined, 'YAML syntax error');
          keys.add(pair.key.value);
        }
        total += size(pair.key) + size(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) total += size(item);
    }
    anchored.size = total;
    return total;
  };
  size(document.contents);
  return anchoredBy;
}

function locateOffset(document: Document, nodes: NodeIndex, path: YamlPath, which: 'key' | 'value'): number {
  const resolve = (node: Node | null | undefined): Node | undefined => (isAlias(node) ? nodes.anchoredBy.get(node) : (node ?? undefined));
  let node = resolve(document.contents);
  let offset = node?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = keysOf(node, nodes.keysOf).get(String(segment));
      if (!pair) break;
      const value = resolve(pair.value as Node | null);
      offset = (which === 'value' && value?.range ? value.range[0] : (pair.key as Node | null)?.range?.[0]) ?? offset;
      node = value;
    } else if (isSeq(node) && node.items[Number(segment)] !== undefined) {
      node = resolve(node.items[Number(segment)] as Node);
      offset = node?.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/** A map's entries by key, built once: a search per lookup made locating every host of a big group n². */
function keysOf(map: YAMLMap, keyIndex: WeakMap<YAMLMap, Map<string, Pair>>): Map<string, Pair> {
  let keys = keyIndex.get(map);
  if (!keys) {
    keys = new Map();
    for (const item of map.items) {
      const key = String(isScalar(item.key) ? item.key.value : item.key);
      if (!keys.has(key)) keys.set(key, item);
    }
    keyIndex.set(map, keys);
  }
  return keys;
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

/** How much of a file without extension is read to tell YAML from INI: the top level shows at the start. */
const SNIFF_CHARACTERS = 64 * 1024;

/** True when the text's top level is a YAML mapping, syntax errors or not: how a file without extension shows it is YAML. */
export function isYamlMapping(text: string): boolean {
  // A mapping cut short is still a mapping; parsing all of a large INI file as YAML would cost more than reading it.
  return isMap(parseDocument(text.slice(0, SNIFF_CHARACTERS), { version: '1.1' }).contents);
}
