/**
 * The qemu command line of the lab VM. TCG, not KVM: nested KVM hangs on the machines the
 * project runs on. The network is qemu's user mode with restrict=on, so the guest cannot
 * reach anything off the VM, and the only way in is hostfwd on 127.0.0.1.
 */
import { join } from 'node:path';
import type { LabPaths } from './paths';
import { LAB_ASSETS_DIR } from './paths';
import type { PreparedLab } from './prepare';
import { MANAGEMENT_NETWORK } from './topology';

export const QEMU = 'qemu-system-x86_64';
const VM_MEMORY_MB = 2048;
const VM_CPUS = 2;
/** The virtiofs tag lab/initramfs-init.sh mounts. */
const SHARE_TAG = 'hostroot';

export interface PortForward {
  hostPort: number;
  guestAddress: string;
  guestPort: number;
}

function netdevOption(forwards: readonly PortForward[]): string {
  const options = [
    'user',
    'id=mgmt',
    'restrict=on',
    'ipv6=off',
    `net=${MANAGEMENT_NETWORK.cidr}`,
    `host=${MANAGEMENT_NETWORK.gateway}`,
    `dns=${MANAGEMENT_NETWORK.dns}`,
    ...forwards.map((forward) => `hostfwd=tcp:127.0.0.1:${forward.hostPort}-${forward.guestAddress}:${forward.guestPort}`),
  ];
  return options.join(',');
}

export function qemuArgs(paths: LabPaths, prepared: PreparedLab, forwards: readonly PortForward[]): string[] {
  const kernelCommandLine = [
    'console=ttyS0',
    'quiet',
    // A panic (PID 1 exiting, for one) ends qemu at once thanks to -no-reboot.
    'panic=1',
    `lvs_stage2=${join(LAB_ASSETS_DIR, 'vm-init.sh')}`,
    `lvs_conf=${paths.guestConfig}`,
  ].join(' ');
  return [
    '-name', 'lvs-lab',
    '-accel', 'tcg',
    '-cpu', 'max',
    '-smp', String(VM_CPUS),
    '-m', `${VM_MEMORY_MB}M`,
    // vhost-user-fs needs the guest's memory shared with virtiofsd.
    '-object', `memory-backend-memfd,id=mem,size=${VM_MEMORY_MB}M,share=on`,
    '-numa', 'node,memdev=mem',
    '-chardev', `socket,id=vfs,path=${paths.virtiofsdSocket}`,
    '-device', `vhost-user-fs-pci,chardev=vfs,tag=${SHARE_TAG}`,
    '-netdev', netdevOption(forwards),
    '-device', 'virtio-net-pci,netdev=mgmt',
    '-kernel', prepared.kernelImage,
    '-initrd', prepared.initramfs,
    '-append', kernelCommandLine,
    '-display', 'none',
    '-serial', `file:${paths.consoleLog}`,
    // ttyS1: requests to the guest (lab/vm-init.sh serves them); nothing waits for a client.
    '-chardev', `socket,id=control,path=${paths.controlSocket},server=on,wait=off`,
    '-serial', 'chardev:control',
    '-monitor', 'none',
    '-no-reboot',
    '-pidfile', paths.qemuPidFile,
    '-daemonize',
  ];
}
