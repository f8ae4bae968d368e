/**
 * The wait after keepalived is reloaded with a new weight: keepalived's checker process
 * re-reads its file after the SIGHUP and only then edits the IPVS table, so the command that
 * reloads returns before the weight is there. One POSIX sh script looks at the service in
 * `ipvsadm -L -n` twice a second until the server shows the weight, or the deadline passes
 * (exit 1, saying what the table shows). A server not in the table at all was taken out by
 * its health check, and keepalived gives it the weight when it puts it back: for weight 0
 * that is done at once; for a server put back in service the wait goes on to the deadline
 * first, because a server whose check failed during its restart is re-added at the next
 * check, and the step after a restore (a check through the VIP) needs it there. It is a
 * constant; every value reaches it as a positional parameter.
 */
import { serviceArgv, type ServiceKey } from '../facts/ipvs';
import { sh, unshown, type ShellCommand } from '../shell/quote';

/** Seconds keepalived gets to apply a weight after a reload. */
export const WEIGHT_WAIT_SECONDS = 10;

const SCRIPT = String.raw`weight=$1 server=$2 label=$3 timeout=$4
shift 4
start=$(date +%s)
while :; do
  table=$(ipvsadm -L -n "$@") || exit 2
  seen=$(printf '%s\n' "$table" | awk -v server="$server" '$1 == "->" && $2 == server { print $4 }')
  if [ "$seen" = "$weight" ]; then printf '%s has weight %s in the IPVS table\n' "$label" "$weight"; exit 0; fi
  late=$(($(date +%s) - start >= timeout))
  if [ -z "$seen" ] && { [ "$weight" = 0 ] || [ "$late" = 1 ]; }; then printf '%s is not in the IPVS table (its health check failed): keepalived gives it weight %s when it puts it back\n' "$label" "$weight"; exit 0; fi
  [ "$late" = 1 ] && break
  sleep 0.5
done
printf '%s still has weight %s in the IPVS table %ss after the reload, not %s: see keepalived'"'"'s log (a failed server of an inhibit_on_failure service stays at 0)\n' "$label" "$seen" "$timeout" "$weight" >&2
exit 1`;

export function weightWaitCommand(key: ServiceKey, server: string, weight: number, label: string): ShellCommand {
  return sh`sh -c ${unshown(SCRIPT, 'weight wait script')} weight_wait ${[String(weight), server, label, String(WEIGHT_WAIT_SECONDS)]} ${serviceArgv(key)}`;
}
