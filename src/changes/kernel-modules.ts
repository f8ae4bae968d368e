/** Loading a kernel module. */
import { sh, type ShellCommand } from '../shell/quote';

/** Loads a module (and what it depends on). */
export function modprobe(name: string): ShellCommand {
  return sh`modprobe -- ${name}`;
}
