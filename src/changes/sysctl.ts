/** Setting a kernel parameter live. */
import type { PlannedCommand } from '../api';
import { sh, type ShellCommand } from '../shell/quote';

/**
 * Sets the live value and checks it on the host, in one command that fails unless the kernel
 * took the value: sysctl -w exits 0 although the kernel refused (EINVAL on a read-only or
 * out-of-range key only goes to stderr). The check runs remotely, not in a verify(), so the
 * commands after it in the same batch (the file write) do not run either. `value` is
 * already normalised; the read-back is normalised the same way (blank runs to one space).
 */
export function setSysctlValue(key: string, value: string): PlannedCommand {
  return { run: setAndCheck(key, value) };
}

/**
 * Sets the live value as setSysctlValue does, then runs `persist` (the file write). When
 * the write fails (a full or read-only file system, an immutable file), the live value goes
 * back to `before`, so the host is left as it was and not live-but-not-persisted. The write
 * runs in a subshell, so its own `exit` on failure comes back here.
 */
export function setSysctlValuePersisted(key: string, value: string, before: string, persist: ShellCommand): PlannedCommand {
  const putBack = `${key}=${before}`;
  return {
    run: sh`${setAndCheck(key, value)}
( ${persist} ) || { lvs_rc=$?; if sysctl -q -w -- ${putBack}; then echo ${`${key} was put back to ${before}`} >&2; else echo ${`${key} could not be put back to ${before}`} >&2; fi; exit $lvs_rc; }`,
  };
}

function setAndCheck(key: string, value: string): ShellCommand {
  const failure = `sysctl -w ${key}=${value} left ${key} at`;
  return sh`lvs_err=$(sysctl -q -w -- ${`${key}=${value}`} 2>&1 >/dev/null); lvs_now=$(sysctl -n -- ${key} | tr -s '[:blank:]' ' '); [ -z "$lvs_err" ] && [ "$lvs_now" = ${value} ] || { echo ${failure} "$lvs_now\${lvs_err:+: $lvs_err}" >&2; exit 1; }`;
}
