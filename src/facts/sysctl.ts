/**
 * Live kernel parameters: reading one with `sysctl -n`, setting one with `sysctl -w` and
 * checking that it took, and the key/value normal forms both this and the sysctl.conf
 * editor compare with.
 */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';

/**
 * One spelling per key. sysctl(8) accepts `net.ipv4.ip_forward` and `net/ipv4/ip_forward`;
 * the first separator decides which one separates, and the other then stands for itself, so
 * `net/ipv4/conf/eth0.100/rp_filter` is `net.ipv4.conf.eth0/100.rp_filter` (see procps'
 * slashdot() and sysctl.d(5)). The dotted form is canonical.
 */
export function canonicalSysctlKey(key: string): string {
  const trimmed = key.trim();
  const firstSeparator = trimmed.search(/[./]/);
  if (firstSeparator === -1 || trimmed[firstSeparator] === '.') return trimmed;
  return trimmed.replace(/[./]/g, (separator) => (separator === '/' ? '.' : '/'));
}

/**
 * The kernel prints multi-value keys with tabs (`4096\t131072\t6291456`) and people write
 * them with spaces: compare with runs of blanks collapsed. A number becomes its decimal text,
 * so 0 stays a value like any other.
 */
export function normaliseSysctlValue(value: string | number): string {
  return String(value).trim().split(/\s+/).join(' ');
}

/** The live value of `key` (canonical), normalised. Reading a key the host lacks fails the task. */
export function sysctlValue(key: string): Fact<string> {
  return { command: sh`sysctl -n -- ${key}`, parse: (result) => parseSysctlValue(key, result) };
}

export function parseSysctlValue(key: string, result: CommandResult): string {
  const stderr = result.stderr.trim();
  if (/cannot stat/.test(stderr)) {
    throw new Error(
      `sysctl key ${key} does not exist on this host (${stderr}); if a kernel module provides it (net.ipv4.vs.* comes with ip_vs), ` +
        'load the module first, or set reload=false to only write the file',
    );
  }
  if (result.exitCode !== 0 || stderr) throw new Error(`cannot read sysctl ${key}: ${stderr || `exit ${result.exitCode}`}`);
  const lines = result.stdout.replace(/\n$/, '').split('\n');
  if (lines.length > 1) throw new Error(`sysctl ${key} is a group of ${lines.length} keys, not one key: name a key inside it`);
  return normaliseSysctlValue(lines[0]);
}

