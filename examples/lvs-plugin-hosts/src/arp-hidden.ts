/**
 * arp_hidden: a DR or TUN real server holds the VIP on lo, and must neither answer ARP for it
 * nor use it in its own ARP requests, or clients would reach it past the director. That is
 * arp_ignore=1 and arp_announce=2 on conf/all and on the device facing the clients (see the
 * kernel's ip-sysctl.rst), set live and in /etc/sysctl.d so the boot agrees. Its cluster
 * hook declares the four values, so `lvs validate` counts them for the DR and TUN rules.
 */
import type * as Lvs from 'lvs';
import type { Change, Fact, PlannedCommand, RemoteFile, TaskSchema } from 'lvs';

export interface ArpHiddenArgs {
  dev: string;
  arp_ignore: number;
  arp_announce: number;
}

interface Setting {
  key: string;
  value: number;
  /** The argument that gives the value: where a cluster finding about it points. */
  argument: 'arp_ignore' | 'arp_announce';
}

const schema: TaskSchema<ArpHiddenArgs> = {
  type: 'object',
  additionalProperties: false,
  required: ['dev'],
  properties: {
    dev: { type: 'string', pattern: '^[A-Za-z0-9_.@+-]{1,15}$', description: 'The device facing the clients, e.g. eth0; conf/all is always set too.' },
    arp_ignore: { type: 'integer', enum: [0, 1, 2, 3, 8], default: 1, description: '1: answer ARP only for addresses of the device asked on.' },
    arp_announce: { type: 'integer', enum: [0, 1, 2], default: 2, description: '2: use only addresses of the outgoing device in ARP requests.' },
  },
};

/** The four keys in the order the file lists them. */
function settings(args: ArpHiddenArgs): Setting[] {
  return ['all', args.dev].flatMap((dev) =>
    (['arp_ignore', 'arp_announce'] as const).map((name) => ({ key: `net.ipv4.conf.${dev}.${name}`, value: args[name], argument: name })),
  );
}

const persistedIn = (dev: string) => `/etc/sysctl.d/60-arp-hidden-${dev}.conf`;

export function arpHidden({ defineTask, noop, sh, remoteFile, writeFileAtomically }: typeof Lvs) {
  /** The live values, read in one command; a device without them (a typo, not there yet) fails the task. */
  const liveValues = (args: ArpHiddenArgs): Fact<number[]> => ({
    command: sh`sysctl -n ${settings(args).map((setting) => setting.key)}`,
    parse(result) {
      const values = result.stdout.trim().split('\n');
      if (result.exitCode !== 0 || values.length !== 4) {
        throw new Error(`cannot read the ARP settings of ${args.dev}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
      }
      return values.map(Number);
    },
  });

  return defineTask<ArpHiddenArgs, { live: Fact<number[]>; file: Fact<RemoteFile> }>({
    name: 'arp_hidden',
    description: 'Keeps a DR or TUN real server from answering or announcing ARP for its VIP (arp_ignore, arp_announce), live and at boot.',
    schema,
    example: { dev: 'eth0', arp_ignore: 1, arp_announce: 2 },
    validate: (args) => (args.dev === 'all' || args.dev === 'default' ? [`dev: name a device; ${args.dev} is not one`] : []),
    facts: (args) => ({ live: liveValues(args), file: remoteFile(persistedIn(args.dev)) }),
    plan(args, facts) {
      const changes: Change[] = [];
      const commands: PlannedCommand[] = [];
      settings(args).forEach(({ key, value }, index) => {
        if (facts.live[index] === value) return;
        changes.push({ subject: key, before: facts.live[index], after: value });
        commands.push({ run: sh`sysctl -q -w ${`${key}=${value}`}` });
      });
      const path = persistedIn(args.dev);
      const content = settings(args)
        .map(({ key, value }) => `${key} = ${value}\n`)
        .join('');
      if (facts.file.content !== content) {
        changes.push({ subject: path, before: facts.file.exists ? facts.file.content : null, after: content });
        commands.push({ run: sh`mkdir -p /etc/sysctl.d` }, { run: writeFileAtomically(path, content, { mode: '0644' }) });
      }
      if (changes.length) return { changes, commands };
      return noop(`arp_ignore is ${args.arp_ignore} and arp_announce ${args.arp_announce} on all and ${args.dev}, live and in ${path}`);
    },
    cluster: (args) => ({ sysctls: settings(args).map(({ key, value, argument }) => ({ key, value: String(value), argument })) }),
  });
}
