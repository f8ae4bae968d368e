import { Flags } from '@oclif/core';
import { labUp } from '../../lab/lab';
import { LabCommand } from '../../cli/lab-command';

export default class LabUp extends LabCommand {
  static summary = 'Start the lab: a qemu VM with a real IPVS kernel holding the hosts of the nat, dr, tun and dr-ha topologies.';
  static description = [
    'The first run installs the Debian packages the lab needs and prepares its cache ($LVS_CACHE_DIR or ~/.cache/lvs/lab):',
    "Debian's cloud kernel, a busybox initramfs and SSH keys. Each topology has the hosts director, rs1, rs2 and client,",
    'each with its own sshd reachable on 127.0.0.1 and its data-plane NICs bare (no addresses, routes or IPVS rules).',
    "Running it again while the lab is up only reads the VM's report that every host's sshd listens.",
  ].join(' ');
  static examples = ['<%= config.bin %> lab up', 'LVS_CACHE_DIR=/var/cache/lvs-lab <%= config.bin %> lab up --json'];
  static enableJsonFlag = true;
  static flags = {
    timeout: Flags.integer({ default: 300, min: 10, description: "Seconds the hosts may take to answer over SSH once qemu has started (or, when the lab is up already, to report their sshd listening)." }),
  };

  async run() {
    const { flags } = await this.parse(LabUp);
    const progress = (message: string) => (this.jsonEnabled() ? this.logToStderr(message) : this.log(message));
    return labUp({ timeoutMs: flags.timeout * 1000, onProgress: progress });
  }
}
