/**
 * What lets a playbook reach the lab's hosts: a known_hosts with each host's key at its
 * forwarded port, and one Ansible-style YAML inventory per topology holding connection
 * variables only (the playbooks bring everything else).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hostKeyPath } from './guest-config';
import type { LabPaths } from './paths';
import { allHosts, topology, TOPOLOGY_NAMES, type GroupName, type TopologyName } from './topology';
import type { LabState } from './vm';

/** OpenSSH writes a host on a port other than 22 as `[host]:port`. */
async function renderKnownHosts(paths: LabPaths, state: LabState): Promise<string> {
  const lines = await Promise.all(
    allHosts().map(async (host) => {
      const [keyType, key] = (await readFile(`${hostKeyPath(paths, host.namespace)}.pub`, 'utf8')).trim().split(/\s+/);
      return `[127.0.0.1]:${state.ports[host.namespace]} ${keyType} ${key}`;
    }),
  );
  return `${lines.join('\n')}\n`;
}

function renderInventory(paths: LabPaths, state: LabState, name: TopologyName): string {
  const groups: Partial<Record<GroupName, { hosts: Record<string, { ansible_host: string; ansible_port: number }> }>> = {};
  for (const host of topology(name).hosts) {
    const group = (groups[host.group] ??= { hosts: {} });
    group.hosts[host.name] = { ansible_host: '127.0.0.1', ansible_port: state.ports[host.namespace] };
  }
  const inventory = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: paths.clientKey,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${paths.knownHosts} -o StrictHostKeyChecking=yes`,
        lvs_known_hosts_file: paths.knownHosts,
      },
      children: groups,
    },
  };
  return `# The lvs lab's ${name} hosts (written by lvs lab up; ports change with every boot).\n${stringify(inventory, { lineWidth: 0 })}`;
}

export function inventoryPath(paths: LabPaths, name: TopologyName): string {
  return join(paths.inventoriesDir, `${name}.yml`);
}

/** Writes known_hosts and every topology's inventory for the VM that is up. */
export async function writeConnectionFiles(paths: LabPaths, state: LabState): Promise<void> {
  await writeFile(paths.knownHosts, await renderKnownHosts(paths, state));
  await mkdir(paths.inventoriesDir, { recursive: true });
  for (const name of TOPOLOGY_NAMES) {
    await writeFile(inventoryPath(paths, name), renderInventory(paths, state, name));
  }
}
