/** YAML files loaded with the position of every node, so errors can name file:line:column. */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError, type SourcePosition } from '../errors';

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlSource {
  file: string;
  data: unknown;
  /** Position of the node at `path` (the key for a map entry), or of its nearest ancestor. */
  locate(path: YamlPath, which?: 'key' | 'value'): SourcePosition;
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positionOf = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (document.errors.length > 0) {
    const error = document.errors[0];
    throw new InputError(`YAML syntax error: ${error.message.split('\n')[0]}`, positionOf(error.pos[0]));
  }
  const locate = (path: YamlPath, which: 'key' | 'value' = 'key'): SourcePosition => {
    let node: unknown = document.contents;
    let offset = (document.contents as Node | null)?.range?.[0] ?? 0;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => String((item.key as { value?: unknown })?.value ?? item.key) === String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        const valueNode = pair.value as Node | null;
        offset = (which === 'key' || !valueNode?.range ? keyNode?.range?.[0] : valueNode.range[0]) ?? offset;
        node = valueNode;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        node = node.items[segment];
        offset = (node as Node).range?.[0] ?? offset;
      } else {
        break;
      }
    }
    return positionOf(offset);
  };
  return { file, data: document.toJS({ maxAliasCount: 100 }), locate };
}

export function loadYamlSource(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read file: ${(error as Error).message}`, { file });
  }
  return parseYamlSource(text, file);
}
