/** A network device administratively up or down (LVS-TUN real servers need tunl0 up). */
import { defineTask, noop, type Fact, type Plan } from '../api';
import { interfaces, type NetworkInterface } from '../facts/ip-addr';
import { sh } from '../shell/quote';
import type { PersistedLink } from '../persistence/item';
import { PERSIST_PROPERTIES, persistFacts, persistPlan, persistProblems, withPersistence, type PersistArgs, type PersistFacts } from '../persistence/persist';
import { DEVICE_NAME } from './patterns';

interface LinkArgs extends PersistArgs {
  dev: string;
  state: 'up' | 'down';
}

const persistedLink = (args: LinkArgs): PersistedLink => ({ kind: 'link', device: args.dev, up: args.state === 'up' });

export default defineTask<LinkArgs, { interfaces: Fact<NetworkInterface[]> } & PersistFacts>({
  name: 'link',
  description: 'Brings a network device up or down (ip link set dev DEV up|down).',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['dev'],
    properties: {
      dev: { type: 'string', pattern: DEVICE_NAME, description: 'The device, e.g. tunl0 or eth1.' },
      state: { type: 'string', enum: ['up', 'down'], default: 'up', description: 'Whether the device is administratively up.' },
      ...PERSIST_PROPERTIES,
    },
  },
  example: { dev: 'tunl0', state: 'up', persist: true },
  validate: persistProblems,
  facts: (args) => ({ interfaces: interfaces(), ...persistFacts(args, persistedLink(args)) }),
  plan: (args, facts) => withPersistence(livePlan(args, facts.interfaces), persistPlan(args, persistedLink(args), true, facts)),
  cluster: (args) => ({ links: [{ device: args.dev, up: args.state === 'up', persist: args.persist, argument: 'dev' }] }),
});

function livePlan(args: LinkArgs, interfaceList: NetworkInterface[]): Plan {
  const device = interfaceList.find((candidate) => candidate.name === args.dev);
  if (!device) {
    const hint = args.dev === 'tunl0' ? ' (tunl0 appears when the ipip module is loaded: add a kmod task for ipip before this one)' : '';
    throw new Error(`device ${args.dev} does not exist${hint}`);
  }
  if (device.up === (args.state === 'up')) return noop(`${args.dev} is ${args.state}`);
  return {
    changes: [{ subject: args.dev, before: device.up ? 'up' : 'down', after: args.state }],
    commands: [{ run: sh`ip link set dev ${args.dev} ${args.state}` }],
  };
}
