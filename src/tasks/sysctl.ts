/**
 * A kernel parameter, live and persisted. The live value (sysctl -w, read back) and the
 * line in the sysctl file are kept in step, so the host keeps the value after a reboot.
 * state=absent only removes the key's lines from the file: the kernel has no "unset", and
 * guessing the boot-time default would be wrong on half the keys, so the live value stays.
 */
import { defineTask, noop, type Change, type Fact } from '../api';
import { refuseOtherType, remoteFile, type RemoteFile } from '../facts/file';
import { canonicalSysctlKey, normaliseSysctlValue, sysctlValue } from '../facts/sysctl';
import { sysctlLine, sysctlSettings, withSysctlSetting, withoutSysctlSetting } from '../facts/sysctl-conf';
import { writeFileAtomically } from '../changes/file';
import { setSysctlValue, setSysctlValuePersisted } from '../changes/sysctl';
import { ABSOLUTE_PATH } from './patterns';

interface SysctlArgs {
  name: string;
  value?: string | number;
  state: 'present' | 'absent';
  sysctl_file: string;
  reload: boolean;
}

type SysctlFacts = { file: Fact<RemoteFile>; liveValue: Fact<string> } | { file: Fact<RemoteFile> };

export default defineTask<SysctlArgs, SysctlFacts>({
  name: 'sysctl',
  description: 'Sets a kernel parameter live and in a sysctl file, or removes it from the file.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        // Dots or slashes between non-empty parts (no `..`, no globs, nothing a shell or the file
        // would read), and no leading `-`: `sysctl -n -p/root/evil.conf` would load that file.
        pattern: '^[A-Za-z0-9_][A-Za-z0-9_-]*(?:[./][A-Za-z0-9_@+-]+)+$',
        maxLength: 255,
        description: 'The key, e.g. net.ipv4.ip_forward; net/ipv4/ip_forward names the same key, as in sysctl(8).',
      },
      value: {
        type: ['string', 'integer'],
        // Printable text; tabs may separate values. A newline would add a line to the file.
        pattern: '^[^\\x00-\\x08\\x0a-\\x1f\\x7f]*$',
        maxLength: 4096,
        description:
          'The value; multi-value keys take their values separated by blanks (4096 87380 6291456). Required when state is present.',
      },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'present sets the key; absent removes its lines from the file and leaves the live value alone.',
      },
      sysctl_file: {
        type: 'string',
        pattern: ABSOLUTE_PATH,
        default: '/etc/sysctl.conf',
        description:
          "The file that persists the value; created if missing, other lines kept as they are. A symbolic link is followed: its target is rewritten and the link kept (Debian's /etc/sysctl.d/99-sysctl.conf points at ../sysctl.conf).",
      },
      reload: {
        type: 'boolean',
        default: true,
        description: 'Also set the live value (sysctl -w, then read back). With false only the file is managed, e.g. for a key a module not loaded yet provides.',
      },
    },
    if: { properties: { state: { const: 'absent' } }, required: ['state'] },
    else: { required: ['value'] },
  },
  example: { name: 'net.ipv4.ip_forward', value: 1, state: 'present', sysctl_file: '/etc/sysctl.conf', reload: true },

  validate(args) {
    return args.value !== undefined && normaliseSysctlValue(args.value) === '' ? ['value: must not be empty'] : [];
  },

  facts(args) {
    const file = remoteFile(args.sysctl_file);
    return args.state === 'present' && args.reload ? { file, liveValue: sysctlValue(canonicalSysctlKey(args.name)) } : { file };
  },

  plan(args, facts) {
    const key = canonicalSysctlKey(args.name);
    const path = args.sysctl_file;
    refuseOtherType(facts.file, `sysctl_file ${path}`);
    const content = facts.file.content;
    const settings = sysctlSettings(content, key);
    const linesBefore = settings.length ? settings.map((setting) => setting.text).join('\n') : null;
    const keepAttributes = facts.file.exists ? { mode: facts.file.mode, owner: facts.file.owner, group: facts.file.group } : {};

    if (args.state === 'absent') {
      if (!settings.length) return noop(`${key} is not set in ${path} (the live value is left alone)`);
      return {
        changes: [{ subject: path, before: linesBefore, after: null }],
        commands: [{ run: writeFileAtomically(path, withoutSysctlSetting(content, key), keepAttributes, facts.file) }],
      };
    }

    const value = normaliseSysctlValue(args.value!);
    const liveBefore = 'liveValue' in facts && facts.liveValue !== value ? facts.liveValue : undefined;
    const fileStale = settings.length !== 1 || settings[0].value !== value;
    const changes: Change[] = [];
    if (liveBefore !== undefined) changes.push({ subject: key, before: liveBefore, after: value });
    if (fileStale) changes.push({ subject: path, before: linesBefore, after: sysctlLine(key, value) });
    if (!changes.length) return noop(args.reload ? `${key} is ${value} live and in ${path}` : `${key} is ${value} in ${path}`);

    if (!fileStale) return { changes, commands: [setSysctlValue(key, value)] };
    const write = writeFileAtomically(path, withSysctlSetting(content, key, value), keepAttributes, facts.file);
    if (liveBefore === undefined) return { changes, commands: [{ run: write }] };
    // Live first, so a value the kernel refuses never reaches the file; a file that cannot be
    // written then puts the live value back, so neither half is left without the other.
    return { changes, commands: [setSysctlValuePersisted(key, value, liveBefore, write)] };
  },

  // absent only edits the file and leaves the live value as it was, so it declares nothing.
  cluster: (args) => (args.state === 'present' ? { sysctls: [{ key: args.name, value: String(args.value), argument: 'value' }] } : {}),
});
