import { Args } from '@oclif/core';
import { labExec } from '../../lab/lab';
import { LabCommand } from '../../cli/lab-command';
import { HOST_NAMES, TOPOLOGY_NAMES } from '../../lab/topology';

export default class LabExec extends LabCommand {
  static summary = 'Run a command as root on a lab host over SSH; its output and exit code become this command\'s.';
  static description = 'Each word after -- reaches the host as one word. For a shell line, run it with sh -c.';
  static examples = [
    '<%= config.bin %> lab exec nat director -- ipvsadm -S -n',
    "<%= config.bin %> lab exec dr rs1 -- sh -c 'ip -4 addr; ip route'",
  ];
  static strict = false;
  static args = {
    topology: Args.string({ required: true, options: [...TOPOLOGY_NAMES], description: 'The topology the host belongs to.' }),
    host: Args.string({ required: true, options: [...HOST_NAMES], description: 'The host to run the command on.' }),
  };

  async run() {
    const { args, raw } = await this.parse(LabExec);
    // The words after TOPOLOGY and HOST, in order (oclif's own argv may reorder them).
    const command = raw.filter((token) => token.type === 'arg' && token.arg === undefined).map((token) => token.input);
    const result = await labExec(args.topology as (typeof TOPOLOGY_NAMES)[number], args.host as (typeof HOST_NAMES)[number], command, {
      passthrough: true,
    });
    if (result.exitCode !== 0) this.exit(result.exitCode);
  }
}
