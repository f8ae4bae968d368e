/**
 * Ansible's INI inventory format (ansible.builtin.ini):
 * - lines before any section are hosts of 'ungrouped'; `[g]` lists hosts, `[g:children]`
 *   groups and `[g:vars]` variables; `#` and `;` start a comment line.
 * - A host line is `name[:port] key=value key2="quoted value"`, split like a shell line; in
 *   `[g:vars]` everything after the first `=` is the value. Either value then goes through
 *   Python's literal_eval (see python-literal.ts), as Ansible 2.14's `_parse_value` does,
 *   whatever its documentation says: `80` is a number, `True` a boolean, `[1, 'a']` a list,
 *   `'x'` loses its quotes, `1234 # note` is 1234; anything else (`true`, `web`, `0644`,
 *   `hello # note`) stays the string as written.
 * - `[g:vars]` for a group defined nowhere in the file, and `[g:children]` naming a group
 *   that is never declared, are errors; a group may be declared after it is referenced.
 */
import { InputError } from '../../errors';
import type { InventoryBuilder, Origin } from './builder';
import { addHostPattern } from './host-pattern';
import { parsePythonLiteral } from './python-literal';
import { ShellSyntaxError, splitShellWords } from '../../shell/words';
import { withPositions } from '../variable-positions';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

type SectionKind = 'hosts' | 'children' | 'vars';

interface PendingDeclaration {
  origin: Origin;
  message: string;
  /** For a child group: the groups that named it. */
  parents: string[];
}

export function parseIniInventory(file: string, text: string, builder: InventoryBuilder): void {
  let group = 'ungrouped';
  let kind: SectionKind = 'hosts';
  const pending = new Map<string, PendingDeclaration>();

  text.split(/\r\n|\r|\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const column = rawLine.indexOf(line) + 1;
    const origin = (at = column, key?: string): Origin => ({ position: { file, line: index + 1, column: at }, key });

    const section = SECTION.exec(line);
    if (section) {
      group = section[1];
      const tag = section[2] ?? 'hosts';
      if (tag !== 'hosts' && tag !== 'children' && tag !== 'vars') {
        throw new InputError(`section [${group}:${tag}] has an unknown type '${tag}'`, origin().position, `[${group}:${tag}]`, 'use [name], [name:children] or [name:vars]');
      }
      kind = tag;
      declareSection(builder, pending, group, kind, origin(column, `[${group}:vars]`));
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw new InputError(`invalid section '${line}'`, origin().position, line, 'a section name holds no spaces, and only ":children" or ":vars" may follow a colon');
    }

    if (kind === 'hosts') {
      parseHostLine(builder, group, rawLine, index + 1, file);
    } else if (kind === 'vars') {
      const equals = line.indexOf('=');
      const key = equals < 0 ? '' : line.slice(0, equals).trim();
      // Only the start of the line is quoted back: the rest may be a password.
      if (!key) throw new InputError(`expected key=value, got a line starting '${line.trim().split(/[\s:=]/)[0]}'`, origin().position, `[${group}:vars]`);
      builder.setGroupVar(group, key, iniValue(line.slice(equals + 1).trim()), origin(column, key));
    } else {
      const child = GROUP_NAME.exec(line)?.[1];
      if (!child) throw new InputError(`expected a group name, got '${line}'`, origin().position, `[${group}:children]`);
      if (builder.hasGroup(child)) {
        builder.addChild(group, child, origin(column, child));
      } else {
        const waiting = pending.get(child);
        if (waiting) waiting.parents.push(group);
        else pending.set(child, { origin: origin(column, child), message: `[${group}:children] includes the undefined group '${child}'`, parents: [group] });
      }
    }
  });

  const [unresolved] = pending.values();
  if (unresolved) throw new InputError(unresolved.message, unresolved.origin.position, unresolved.origin.key, 'declare it with its own [section]');
}

/** `[g]` and `[g:children]` declare a group; `[g:vars]` alone does not. */
function declareSection(builder: InventoryBuilder, pending: Map<string, PendingDeclaration>, group: string, kind: SectionKind, origin: Origin): void {
  if (!builder.hasGroup(group) && kind === 'vars' && !pending.has(group)) {
    pending.set(group, { origin, message: `[${group}:vars] sets variables of the undefined group '${group}'`, parents: [] });
  }
  builder.addGroup(group);
  const waiting = pending.get(group);
  if (!waiting || kind === 'vars') return;
  for (const parent of waiting.parents) builder.addChild(parent, group, waiting.origin);
  pending.delete(group);
}

function parseHostLine(builder: InventoryBuilder, group: string, rawLine: string, line: number, file: string): void {
  const at = (column: number, key?: string): Origin => ({ position: { file, line, column }, key });
  let words;
  try {
    words = splitShellWords(rawLine, { comments: true });
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    throw new InputError(`cannot split the host line: ${error.message}`, at(error.column).position);
  }
  const [host, ...assignments] = words;
  if (!host || !host.text) throw new InputError('expected a host name', at(host?.column ?? 1).position);
  if (host.text === '---') {
    throw new InputError("invalid host '---'", at(host.column).position, undefined, 'this looks like a YAML file: name it .yml or .yaml');
  }
  const vars: Record<string, unknown> = {};
  for (const word of assignments) {
    const equals = word.text.indexOf('=');
    if (equals <= 0) {
      throw new InputError(`expected key=value host variable assignment, got '${word.text}'`, at(word.column).position, host.text);
    }
    vars[word.text.slice(0, equals)] = iniValue(word.text.slice(equals + 1));
  }
  addHostPattern(builder, host.text, group, withLinePositions(vars, file, line, rawLine), at(host.column, host.text));
}

/**
 * A host line's variables, whose positions are found by reading the line again when an error
 * asks, so that 100 000 host lines keep no position objects.
 */
function withLinePositions(vars: Record<string, unknown>, file: string, line: number, rawLine: string): Record<string, unknown> {
  return withPositions(vars, (key) => {
    const word = splitShellWords(rawLine, { comments: true })
      .slice(1)
      .findLast((candidate) => candidate.text.startsWith(`${key}=`));
    return word && { file, line, column: word.column };
  });
}

function iniValue(text: string): unknown {
  const literal = parsePythonLiteral(text);
  return literal ? literal.value : text;
}
