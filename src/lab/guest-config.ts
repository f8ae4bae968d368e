/**
 * The lab config lab/vm-init.sh sources at boot: one call per line to the functions it
 * defines (kernel_modules, load_modules, management_bridge, ssh_access, add_segment,
 * add_host, add_nic). Every value goes through `sh`, so the file is data as much as code.
 */
import { dirname, join } from 'node:path';
import { sh, type ShellCommand } from '../shell/quote';
import { LAB_ASSETS_DIR, type LabPaths } from './paths';
import { MANAGEMENT_NETWORK, TOPOLOGIES } from './topology';

/**
 * Loaded at boot so IPVS works in every host before any playbook runs, as on a director
 * prepared by hand. The VM also sees the whole module tree, so modprobe works for the rest.
 */
const PRELOADED_MODULES = [
  'ip_vs',
  ...['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'].map((scheduler) => `ip_vs_${scheduler}`),
  'ipip',
  'veth',
  'bridge',
  'dummy',
];

/** A host's key pair, named as sshd's own (lab/host-init.sh copies it to /etc/ssh). */
export function hostKeyPath(paths: LabPaths, namespace: string): string {
  return join(paths.hostKeysDir, namespace, 'ssh_host_ed25519_key');
}

export function renderGuestConfig(paths: LabPaths, kernelVersion: string): string {
  const lines: ShellCommand[] = [
    sh`kernel_modules ${join(paths.kernelRoot, 'lib', 'modules', kernelVersion)}`,
    sh`load_modules ${PRELOADED_MODULES}`,
    sh`management_bridge ${MANAGEMENT_NETWORK.bridge}`,
    sh`ssh_access ${join(LAB_ASSETS_DIR, 'sshd_config')} ${`${paths.clientKey}.pub`}`,
  ];
  for (const topology of TOPOLOGIES) {
    for (const segment of topology.segments) lines.push(sh`add_segment ${segment.bridge}`);
    for (const host of topology.hosts) {
      const address = `${host.managementAddress}/${MANAGEMENT_NETWORK.prefix}`;
      lines.push(sh`add_host ${host.namespace} ${host.name} ${address} ${dirname(hostKeyPath(paths, host.namespace))} ${host.managementPort} ${host.managementMac}`);
    }
    for (const host of topology.hosts) {
      for (const nic of host.nics) lines.push(sh`add_nic ${host.namespace} ${nic.ifname} ${nic.segment} ${nic.bridgePort} ${nic.mac}`);
    }
  }
  return `# Written by lvs lab up; sourced by lab/vm-init.sh in the lab VM.\n${lines.map(String).join('\n')}\n`;
}
