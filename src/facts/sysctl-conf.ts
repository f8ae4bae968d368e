/**
 * Reading and editing sysctl.conf(5) text. Only the lines that set the key in question
 * change; every other line, comment and blank stays byte for byte.
 *
 * The syntax is procps' (sysctl -p) and systemd-sysctl's: `key = value`, blanks around both
 * ignored, `#` or `;` starting a comment line, a leading `-` meaning "ignore failures".
 * When a key is set more than once the last line wins, so that is the line to replace;
 * earlier lines for the same key are removed, leaving one line that says what is in force.
 */
import { canonicalSysctlKey, normaliseSysctlValue } from './sysctl';

export interface SysctlSetting {
  /** Index of the line in `content.split('\n')`. */
  line: number;
  /** Canonical key (see canonicalSysctlKey). */
  key: string;
  /** Normalised value. */
  value: string;
  /** The line as written. */
  text: string;
}

export function parseSysctlConf(content: string): SysctlSetting[] {
  return content.split('\n').flatMap((text, line): SysctlSetting[] => {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return [];
    const equals = trimmed.indexOf('=');
    const key = trimmed.slice(0, Math.max(equals, 0)).replace(/^-/, '').trim();
    if (!key) return [];
    return [{ line, key: canonicalSysctlKey(key), value: normaliseSysctlValue(trimmed.slice(equals + 1)), text }];
  });
}

/** The lines that set `key` (canonical), in file order. */
export function sysctlSettings(content: string, key: string): SysctlSetting[] {
  return parseSysctlConf(content).filter((setting) => setting.key === key);
}

/** The line this module writes for a setting. */
export function sysctlLine(key: string, value: string): string {
  return `${key} = ${value}`;
}

/** `content` with `key` set to `value` on one line: the last existing one, or a new last line. */
export function withSysctlSetting(content: string, key: string, value: string): string {
  const settings = sysctlSettings(content, key);
  const lines = splitLines(content);
  if (settings.length === 0) return joinLines([...lines, sysctlLine(key, value)]);
  const replaced = settings[settings.length - 1].line;
  const removed = new Set(settings.slice(0, -1).map((setting) => setting.line));
  return joinLines(lines.flatMap((text, index) => (index === replaced ? [sysctlLine(key, value)] : removed.has(index) ? [] : [text])));
}

/** `content` without any line that sets `key`. */
export function withoutSysctlSetting(content: string, key: string): string {
  const removed = new Set(sysctlSettings(content, key).map((setting) => setting.line));
  return joinLines(splitLines(content).filter((_, index) => !removed.has(index)));
}

function splitLines(content: string): string[] {
  const lines = content.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}
