/** Whether kernel modules are loaded, built in, loadable or missing, without loading any. */
import type { CommandResult, Fact } from '../api';
import { joinCommands, sh } from '../shell/quote';

export type ModuleState = 'loaded' | 'builtin' | 'available' | 'missing';

export interface ModuleStatus {
  state: ModuleState;
  /** For a missing module, what `modprobe -n` said about it. */
  detail?: string;
}

/** As the kmod task's schema pins it: no leading `-`, which modprobe would read as an option. */
const MODULE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/**
 * A loaded module has /sys/module/NAME/initstate; a built-in one may have /sys/module/NAME
 * (only if it has parameters) and is always listed in modules.builtin; `modprobe -n` (dry
 * run) tells whether a module could be loaded.
 */
export function kernelModules(names: string[]): Fact<Record<string, ModuleStatus>> {
  for (const name of names) {
    if (!MODULE_NAME.test(name)) throw new Error(`"${name}" is not a kernel module name`);
  }
  const probes = names.map(
    (name) => sh`if [ -e ${`/sys/module/${name}/initstate`} ]; then echo ${`${name} loaded`}
elif [ -d ${`/sys/module/${name}`} ] || grep -qsF -- ${`/${name}.ko`} "/lib/modules/$(uname -r)/modules.builtin"; then echo ${`${name} builtin`}
elif lvs_out=$(modprobe -n -- ${name} 2>&1); then echo ${`${name} available`}
else printf '%s missing %s\\n' ${name} "$(printf %s "$lvs_out" | head -n 1)"; fi`,
  );
  return {
    command: joinCommands(probes, '\n'),
    parse: (result) => parseKernelModules(result, names),
  };
}

export function parseKernelModules(result: CommandResult, names: string[]): Record<string, ModuleStatus> {
  if (result.exitCode !== 0) throw new Error(`cannot check kernel modules: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const statuses: Record<string, ModuleStatus> = {};
  for (const line of result.stdout.split('\n')) {
    const match = /^(\S+) (loaded|builtin|available|missing) ?(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, name, state, detail] = match;
    statuses[name] = state === 'missing' ? { state, detail: detail.trim() || undefined } : { state: state as ModuleState };
  }
  for (const name of names) {
    if (!statuses[name]) throw new Error(`no status for kernel module ${name} in: ${result.stdout.trim()}`);
  }
  return statuses;
}

