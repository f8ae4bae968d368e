/**
 * What ifaddr, route and link share to keep their state across reboots: the `persist` and
 * `persist_with` arguments, the facts (the stack's probe, the files that would keep the
 * item) and the file changes that make the boot agree with the live state.
 */
import { dirname } from 'node:path';
import { noop, type Change, type Fact, type Plan, type PlannedCommand } from '../api';
import { refuseOtherType, remoteFile, type RemoteFile } from '../facts/file';
import { detectNetworkStack, NETWORK_STACKS, networkStack, type NetworkStack, type NetworkStackFacts } from '../facts/network-stack';
import { writeFileAtomically } from '../changes/file';
import { sh } from '../shell/quote';
import { ifcfgContent, ifcfgPath } from './ifcfg';
import { ifupdownPath, ifupdownStanza } from './ifupdown';
import { networkdDropIn, networkdOwnFile, networkdOwnFileContent, networkdPlacement, type NetworkdPlacement } from './networkd';
import { nmKeyfileContent, nmKeyfilePath } from './nm-keyfile';
import type { PersistedItem } from './item';

export interface PersistArgs {
  persist: boolean;
  persist_with?: NetworkStack;
}

export const PERSIST_PROPERTIES = {
  persist: {
    type: 'boolean',
    default: true,
    description:
      "Also keep it across reboots, written the way the host's network stack reads it at boot (detected: ifupdown, systemd-networkd, NetworkManager or RHEL ifcfg); false changes the live state only.",
  },
  persist_with: {
    type: 'string',
    enum: [...NETWORK_STACKS],
    description: 'The network stack to persist with, instead of detecting it: for a host where none or several are found.',
  },
} as const;

export function persistProblems(args: PersistArgs): string[] {
  return args.persist_with !== undefined && !args.persist ? ['persist_with: has no effect with persist: false'] : [];
}

/** The facts persisting `item` reads. Without `deviceKnown` (a route given only `via`) only ifupdown, whose file names no device, can keep it. */
export type PersistFacts = {
  networkStack?: Fact<NetworkStackFacts>;
  ifupdownFile?: Fact<RemoteFile>;
  networkdPlacement?: Fact<NetworkdPlacement>;
  networkdOwnFile?: Fact<RemoteFile>;
  nmKeyfile?: Fact<RemoteFile>;
  ifcfgFile?: Fact<RemoteFile>;
};

export function persistFacts(args: PersistArgs, item: PersistedItem, deviceKnown = true): PersistFacts {
  if (!args.persist) return {};
  const wanted = (stack: NetworkStack) => args.persist_with === undefined || args.persist_with === stack;
  const facts: PersistFacts = {};
  if (args.persist_with === undefined) facts.networkStack = networkStack();
  if (wanted('ifupdown')) facts.ifupdownFile = remoteFile(ifupdownPath(item));
  if (deviceKnown && wanted('networkd')) Object.assign(facts, { networkdPlacement: networkdPlacement(item), networkdOwnFile: remoteFile(networkdOwnFile(item.device)) });
  if (deviceKnown && wanted('networkmanager') && item.kind !== 'link') facts.nmKeyfile = remoteFile(nmKeyfilePath(item.device));
  if (deviceKnown && wanted('ifcfg') && ifcfgPathOrUndefined(item)) facts.ifcfgFile = remoteFile(ifcfgPath(item));
  return facts;
}

/** A path for the facts; the plan throws the reason when there is none. */
function ifcfgPathOrUndefined(item: PersistedItem): string | undefined {
  try {
    return ifcfgPath(item);
  } catch {
    return undefined;
  }
}

interface FileWish {
  path: string;
  current: RemoteFile;
  wanted: string | null;
  mode?: string;
}

type PersistValues = { [K in keyof PersistFacts]?: NonNullable<PersistFacts[K]> extends Fact<infer T> ? T : never };

const textOf = (file: RemoteFile) => (file.exists ? file.content : null);

function wishes(stack: NetworkStack, item: PersistedItem, present: boolean, facts: PersistValues): FileWish[] {
  const missing = () => new Error(`persisting with ${stack} needs dev: name the device the route leaves by`);
  switch (stack) {
    case 'ifupdown':
      return [{ path: ifupdownPath(item), current: facts.ifupdownFile!, wanted: present ? ifupdownStanza(item) : null }];
    case 'networkd': {
      if (!facts.networkdPlacement) throw missing();
      const { networkFile, dropInPath, dropIn } = facts.networkdPlacement;
      const list: FileWish[] = [{ path: dropInPath, current: dropIn, wanted: present ? networkdDropIn(item) : null }];
      if (present && networkFile === undefined) list.unshift({ path: networkdOwnFile(item.device), current: facts.networkdOwnFile!, wanted: networkdOwnFileContent(item.device) });
      return list;
    }
    case 'networkmanager': {
      // The content first: it refuses what a keyfile cannot say (a link's state has no fact read for it).
      const wanted = nmKeyfileContent(item, present, facts.nmKeyfile ? textOf(facts.nmKeyfile) : null);
      if (!facts.nmKeyfile) throw missing();
      return [{ path: nmKeyfilePath(item.device), current: facts.nmKeyfile, wanted, mode: '0600' }];
    }
    case 'ifcfg': {
      const path = ifcfgPath(item);
      if (!facts.ifcfgFile) throw missing();
      return [{ path, current: facts.ifcfgFile, wanted: ifcfgContent(item, present, textOf(facts.ifcfgFile)) }];
    }
  }
}

export interface PersistPlan {
  changes: Change[];
  commands: PlannedCommand[];
  /** For the no-op reason: `ifupdown keeps it in /etc/network/interfaces.d/...`; empty without persist. */
  noop: string;
}

/** The file changes that make the boot keep `item` (present) or forget it (absent). */
export function persistPlan(args: PersistArgs, item: PersistedItem, present: boolean, facts: PersistValues): PersistPlan {
  if (!args.persist) return { changes: [], commands: [], noop: '' };
  const stack = args.persist_with ?? detectNetworkStack(facts.networkStack!);
  const files = wishes(stack, item, present, facts);
  const changes: Change[] = [];
  const commands: PlannedCommand[] = [];
  for (const { path, current, wanted, mode } of files) {
    refuseOtherType(current, path);
    if (textOf(current) === wanted) continue;
    changes.push({ subject: path, before: textOf(current), after: wanted });
    if (wanted === null) commands.push({ run: sh`rm -f -- ${path}` });
    else commands.push({ run: sh`mkdir -p -- ${dirname(path)}` }, { run: writeFileAtomically(path, wanted, mode ? { mode } : {}, current) });
  }
  const paths = files.map((file) => file.path).join(' and ');
  const noop = present ? `${stack} keeps it in ${paths}` : `no ${stack} file keeps it (${paths})`;
  return { changes, commands, noop };
}

/** The live plan and the file changes as one plan: live commands first, so a file never keeps what the kernel refused. */
export function withPersistence(live: Plan, persisted: PersistPlan): Plan {
  if (!live.changes.length && !persisted.changes.length) return noop([live.noop, persisted.noop].filter(Boolean).join('; '));
  return { changes: [...live.changes, ...persisted.changes], commands: [...live.commands, ...persisted.commands] };
}
