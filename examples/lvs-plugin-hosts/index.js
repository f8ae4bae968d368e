/**
 * An lvs plugin in plain JavaScript. Its export is a function that receives the lvs API,
 * so the plugin works wherever lvs is installed; it returns the task modules it adds.
 */
module.exports = ({ defineTask, remoteFile, writeFileAtomically }) => {
  const hostsEntry = defineTask({
    name: 'hosts_entry',
    description: 'Keeps one address line in a hosts file (default /etc/hosts), e.g. to name the VIP and real servers.',
    schema: {
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
        state: { enum: ['present', 'absent'], default: 'present', description: 'Whether the address has a line.' },
        path: { type: 'string', pattern: '^/[^\\0\\n]*$', default: '/etc/hosts', description: 'The hosts file to manage.' },
      },
    },
    example: { address: '192.168.0.109', names: ['vip.lvs.example'] },
    validate(args) {
      return args.state === 'present' && args.names.length === 0 ? ['names: at least one name is needed when state is present'] : [];
    },
    facts(args) {
      return { file: remoteFile(args.path) };
    },
    plan(args, facts) {
      const lines = facts.file.content === '' ? [] : facts.file.content.replace(/\n$/, '').split('\n');
      const ours = (line) => line.trim().split(/\s+/)[0] === args.address;
      const wanted = `${args.address} ${args.names.join(' ')}`;
      const kept = lines.filter((line) => !ours(line));
      const next = args.state === 'present' ? [...kept, wanted] : kept;
      const current = lines.filter(ours);
      const upToDate = args.state === 'present' ? current.length === 1 && current[0].trim().split(/\s+/).join(' ') === wanted : current.length === 0;
      if (upToDate) {
        return { changes: [], commands: [], noop: `${args.path} ${args.state === 'present' ? `has '${wanted}'` : `has no line for ${args.address}`}` };
      }
      const content = `${next.join('\n')}\n`;
      return {
        changes: [{ subject: args.path, before: facts.file.content, after: content }],
        commands: [{ run: writeFileAtomically(args.path, content, { mode: facts.file.mode ?? '0644' }) }],
      };
    },
  });
  return [hostsEntry];
};
