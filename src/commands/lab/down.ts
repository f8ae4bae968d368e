import { labDown } from '../../lab/lab';
import { LabCommand } from '../../cli/lab-command';

export default class LabDown extends LabCommand {
  static summary = 'Stop the lab VM and everything it runs (qemu and virtiofsd); every host and its state is gone.';
  static examples = ['<%= config.bin %> lab down'];
  static enableJsonFlag = true;

  async run() {
    await this.parse(LabDown);
    const result = await labDown();
    this.log(result.wasRunning ? 'the lab is down' : 'the lab was not running');
    return result;
  }
}
