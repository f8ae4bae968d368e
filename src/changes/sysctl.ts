/** Setting a kernel parameter live. */
import type { PlannedCommand } from '../api';
import { sh } from '../shell/quote';

/**
 * Sets the live value and checks it on the host, in one command that fails unless the kernel
 * took the value: sysctl -w exits 0 although the kernel refused (EINVAL on a read-only or
 * out-of-range key only goes to stderr). The check runs remotely, not in a verify(), so the
 * commands after it in the same batch (the file write) do not run either. `value` is
 * already normalised; the read-back is normalised the same way (blank runs to one space).
 */
export function setSysctlValue(key: string, value: string): PlannedCommand {
  const failure = `sysctl -w ${key}=${value} left ${key} at`;
  return {
    run: sh`lvs_err=$(sysctl -q -w ${`${key}=${value}`} 2>&1 >/dev/null); lvs_now=$(sysctl -n ${key} | tr -s '[:blank:]' ' '); [ -z "$lvs_err" ] && [ "$lvs_now" = ${value} ] || { echo ${failure} "$lvs_now\${lvs_err:+: $lvs_err}" >&2; exit 1; }`,
  };
}
