/**
 * The YAML 1.1 scalars as PyYAML, Ansible's loader, resolves them where the yaml package
 * differs: only yes/no, true/false and on/off (lower, Capitalised or UPPER case) are booleans,
 * so `y` and `N` stay strings; a float needs a digit before or after its point and a sign in
 * its exponent (`1e3`, `1.5e3` and `-.5` stay strings, `1.0e+3` is 1000); a timestamp is PyYAML's (a date is exactly YYYY-MM-DD) and
 * becomes the text Python's isoformat() gives it, which is how ansible-inventory prints it and
 * what `2024-01-01` renders as: `2024-01-01` stays `2024-01-01`, `2024-01-01 10:00:00` becomes
 * `2024-01-01T10:00:00`. See PyYAML's resolver.py and constructor.py.
 */
import type { ScalarTag, Tags } from 'yaml';

const BOOL_TAG = 'tag:yaml.org,2002:bool';
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const FLOAT_TAG = 'tag:yaml.org,2002:float';
const FLOAT = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/;
const FLOAT_EXP = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)[eE][-+][0-9]+$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const TIMESTAMP =
  /^(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

/** For the `customTags` option of the yaml package's parse functions, with version 1.1. */
export function pyyamlTags(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== 'object' || !('tag' in tag)) return tag;
    if (tag.tag === BOOL_TAG && 'test' in tag && tag.test) return { ...tag, test: tag.test.test('yes') ? TRUE : FALSE } as ScalarTag;
    if (tag.tag === FLOAT_TAG && 'test' in tag && tag.test && tag.format !== 'TIME' && !tag.test.test('.nan')) return { ...tag, test: tag.format === 'EXP' ? FLOAT_EXP : FLOAT } as ScalarTag;
    if (tag.tag === TIMESTAMP_TAG) return { ...tag, test: TIMESTAMP, resolve: isoformat } as ScalarTag;
    return tag;
  });
}

/** Python's date.isoformat() and datetime.isoformat() of what PyYAML builds from the text. */
function isoformat(text: string): string {
  const match = TIMESTAMP.exec(text);
  if (!match) return text;
  const pad = (value: string, width = 2) => value.padStart(width, '0');
  if (match[1] !== undefined) return `${match[1]}-${match[2]}-${match[3]}`;
  const [, , , , year, month, day, hour, minute, second, fraction = '', zone] = match;
  const micro = fraction.slice(0, 6).padEnd(6, '0');
  let result = `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${minute}:${second}${/^0*$/.test(micro) ? '' : `.${micro}`}`;
  if (zone === 'Z') result += '+00:00';
  else if (zone !== undefined) {
    const [hours, minutes = '00'] = zone.slice(1).split(':');
    result += /^0+$/.test(hours + minutes) ? '+00:00' : `${zone[0]}${pad(hours)}:${minutes}`;
  }
  return result;
}
