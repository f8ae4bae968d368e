/** hosts_entry: one address line in a hosts file, e.g. to name the VIP and the real servers. */
import type * as Lvs from 'lvs';
import type { Fact, RemoteFile, TaskSchema } from 'lvs';

export interface HostsEntryArgs {
  address: string;
  names: string[];
  state: 'present' | 'absent';
  path: string;
}

const schema: TaskSchema<HostsEntryArgs> = {
  type: 'object',
  additionalProperties: false,
  required: ['address'],
  properties: {
    address: { type: 'string', pattern: '^[0-9A-Fa-f.:]+$', description: 'The IP address the line starts with.' },
    names: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$' },
      default: [],
      description: 'Host names for the address, in order. Required when state is present.',
    },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the address has a line.' },
    path: { type: 'string', pattern: '^/[^\\0\\n]*$', default: '/etc/hosts', description: 'The hosts file to manage.' },
  },
};

export function hostsEntry({ defineTask, noop, remoteFile, writeFileAtomically }: typeof Lvs) {
  return defineTask<HostsEntryArgs, { file: Fact<RemoteFile> }>({
    name: 'hosts_entry',
    description: 'Keeps one address line in a hosts file (default /etc/hosts), e.g. to name the VIP and real servers.',
    schema,
    example: { address: '192.168.0.109', names: ['vip.lvs.example'], state: 'present', path: '/etc/hosts' },
    validate: (args) => (args.state === 'present' && args.names.length === 0 ? ['names: at least one name is needed when state is present'] : []),
    facts: (args) => ({ file: remoteFile(args.path) }),
    plan(args, facts) {
      const lines = facts.file.content === '' ? [] : facts.file.content.replace(/\n$/, '').split('\n');
      const ours = (line: string) => line.trim().split(/\s+/)[0] === args.address;
      const wanted = `${args.address} ${args.names.join(' ')}`;
      const current = lines.filter(ours);
      const upToDate = args.state === 'present' ? current.length === 1 && current[0].trim().split(/\s+/).join(' ') === wanted : current.length === 0;
      if (upToDate) return noop(`${args.path} ${args.state === 'present' ? `has '${wanted}'` : `has no line for ${args.address}`}`);
      const kept = lines.filter((line) => !ours(line));
      const content = `${[...kept, ...(args.state === 'present' ? [wanted] : [])].join('\n')}\n`;
      return {
        changes: [{ subject: args.path, before: facts.file.content, after: content }],
        commands: [{ run: writeFileAtomically(args.path, content, { mode: facts.file.mode ?? '0644' }) }],
      };
    },
  });
}
