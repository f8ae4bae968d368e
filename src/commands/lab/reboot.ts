import { Args, Flags } from '@oclif/core';
import { labReboot } from '../../lab/lab';
import { LabCommand } from '../../cli/lab-command';
import { HOST_NAMES, TOPOLOGY_NAMES } from '../../lab/topology';

export default class LabReboot extends LabCommand {
  static summary = 'Reboot a lab host as a power cycle would, and wait until it answers over SSH again.';
  static description = [
    'Every process of the host ends and its network namespace goes with all it held (addresses, routes, sysctls,',
    'the IPVS table, /run); its disk (/etc, /var, /root) stays. It then boots with systemd as PID 1, so what comes',
    "back is what the distribution's own boot brings back from the disk: ifupdown's networking.service, systemd-sysctl,",
    "ipvsadm's restore, the services enabled at boot. It keeps its port, host key and place on the lab's networks.",
  ].join(' ');
  static examples = ['<%= config.bin %> lab reboot dr rs1', '<%= config.bin %> lab reboot nat director --json'];
  static enableJsonFlag = true;
  static args = {
    topology: Args.string({ required: true, options: [...TOPOLOGY_NAMES], description: 'The topology the host belongs to.' }),
    host: Args.string({ required: true, options: [...HOST_NAMES], description: 'The host to reboot.' }),
  };
  static flags = {
    timeout: Flags.integer({ default: 600, min: 10, description: 'Seconds the host may take to answer over SSH again.' }),
  };

  async run() {
    const { args, flags } = await this.parse(LabReboot);
    const progress = (message: string) => (this.jsonEnabled() ? this.logToStderr(message) : this.log(message));
    const result = await labReboot(args.topology as (typeof TOPOLOGY_NAMES)[number], args.host as (typeof HOST_NAMES)[number], {
      timeoutMs: flags.timeout * 1000,
      onProgress: progress,
    });
    this.log(`${result.namespace} is up again after ${(result.rebootMs / 1000).toFixed(1)} s`);
    return result;
  }
}
