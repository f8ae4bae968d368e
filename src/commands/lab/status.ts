import { Args } from '@oclif/core';
import { labStatus } from '../../lab/lab';
import { LabCommand } from '../../cli/lab-command';
import { topology, TOPOLOGY_NAMES } from '../../lab/topology';

/** 75 -> "1 min 15 s", as a person reads an uptime. */
function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${seconds} s` : `${minutes} min ${seconds % 60} s`;
}

export default class LabStatus extends LabCommand {
  static summary = "Show whether the lab VM runs, each host's sshd as the VM reports it (starting, listening or stopped) and how long each host has been up.";
  static description = 'It reads what the VM wrote on its console and connects to no host, so it is quick even when the machine is busy.';
  static examples = ['<%= config.bin %> lab status', '<%= config.bin %> lab status nat --json'];
  static enableJsonFlag = true;
  static args = {
    topology: Args.string({ options: [...TOPOLOGY_NAMES], description: 'Show only the hosts of this topology.' }),
  };

  async run() {
    const { args } = await this.parse(LabStatus);
    const status = await labStatus(args.topology as (typeof TOPOLOGY_NAMES)[number] | undefined);
    if (!status.running) {
      this.log('the lab is not running');
      return status;
    }
    this.log(`the lab VM runs (qemu pid ${status.qemuPid}, kernel ${status.kernelVersion}, since ${status.startedAt})`);
    for (const name of new Set(status.hosts.map((host) => host.topology))) {
      const { description, segments } = topology(name);
      this.log(`\n${name}: ${description}`);
      for (const segment of segments) this.log(`  segment ${segment.bridge}: ${segment.description}`);
      for (const host of status.hosts.filter((candidate) => candidate.topology === name)) {
        this.log(`  ${host.name.padEnd(9)} 127.0.0.1:${String(host.port).padEnd(6)} sshd ${host.sshd.padEnd(10)} up ${formatDuration(host.upSeconds)}`);
      }
    }
    return status;
  }
}
