/**
 * A kernel module loaded (LVS-TUN real servers need ipip, which creates tunl0), and
 * optionally listed in /etc/modules-load.d so it is loaded again at boot.
 */
import { defineTask, noop, type Change, type Fact, type PlannedCommand } from '../api';
import { refuseOtherType, remoteFile, type RemoteFile } from '../facts/file';
import { kernelModules, type ModuleStatus } from '../facts/kernel-modules';
import { sh } from '../shell/quote';
import { writeFileAtomically } from '../changes/file';
import { modprobe } from '../changes/kernel-modules';
import { MODULE_NAME } from './patterns';

interface KmodArgs {
  name: string;
  state: 'present' | 'absent';
  persist: boolean;
}

type KmodFacts = { modules: Fact<Record<string, ModuleStatus>>; bootList?: Fact<RemoteFile> };

const bootListPath = (name: string) => `/etc/modules-load.d/${name}.conf`;

export default defineTask<KmodArgs, KmodFacts>({
  name: 'kmod',
  description: 'Loads or unloads a kernel module, and can have it loaded at every boot.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: MODULE_NAME, description: 'The module, e.g. ipip or ip_vs.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'present loads it (modprobe); absent unloads it (modprobe -r).' },
      persist: {
        type: 'boolean',
        default: false,
        description: 'Also keep /etc/modules-load.d/NAME.conf naming the module (present) or remove that file (absent), so the boot agrees.',
      },
    },
  },
  example: { name: 'ipip', state: 'present', persist: true },
  facts: (args) => ({
    modules: kernelModules([args.name]),
    ...(args.persist ? { bootList: remoteFile(bootListPath(args.name)) } : {}),
  }),
  plan(args, facts) {
    const status = facts.modules[args.name];
    const changes: Change[] = [];
    const commands: PlannedCommand[] = [];
    const loaded = status.state === 'loaded' || status.state === 'builtin';
    if (args.state === 'present' && !loaded) {
      if (status.state === 'missing') throw new Error(`kernel module ${args.name} cannot be loaded: ${status.detail ?? 'not found'}`);
      changes.push({ subject: `module ${args.name}`, before: status.state, after: 'loaded' });
      commands.push({ run: modprobe(args.name) });
    }
    if (args.state === 'absent' && status.state === 'loaded') {
      changes.push({ subject: `module ${args.name}`, before: 'loaded', after: 'not loaded' });
      commands.push({ run: sh`modprobe -r -- ${args.name}` });
    }
    if (args.state === 'absent' && status.state === 'builtin') {
      throw new Error(`kernel module ${args.name} is built into the kernel and cannot be unloaded`);
    }
    if (facts.bootList) {
      const path = bootListPath(args.name);
      refuseOtherType(facts.bootList, path);
      const wanted = `${args.name}\n`;
      if (args.state === 'present' && facts.bootList.content !== wanted) {
        changes.push({ subject: path, before: facts.bootList.exists ? facts.bootList.content : null, after: wanted });
        commands.push({ run: sh`mkdir -p /etc/modules-load.d` }, { run: writeFileAtomically(path, wanted, {}, facts.bootList) });
      }
      if (args.state === 'absent' && facts.bootList.exists) {
        changes.push({ subject: path, before: facts.bootList.content, after: null });
        commands.push({ run: sh`rm -f -- ${path}` });
      }
    }
    if (changes.length) return { changes, commands };
    return noop(`module ${args.name} is ${args.state === 'present' ? status.state : 'not loaded'}${args.persist ? ` and ${bootListPath(args.name)} agrees` : ''}`);
  },
  cluster: (args) => ({ modules: [{ name: args.name, loaded: args.state === 'present', argument: 'name' }] }),
});
