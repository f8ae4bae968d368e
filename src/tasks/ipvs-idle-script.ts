/**
 * The wait of ipvs_member's wait_idle: one POSIX sh script that looks at the director's
 * connection entries (`ipvsadm -L -n -c`) every `poll` seconds until none of them is still
 * traffic to the real server, or its deadline passes. It writes each look's count to fd 3
 * (PlannedCommand.progress), says on stdout how long it took, and when the deadline passes
 * says what was left: on stderr with exit 1 (on_timeout fail) or on stdout with exit 0
 * (on_timeout continue). It is a constant; every value reaches it as a positional parameter.
 *
 * Its awk filter reads the entries as src/facts/ipvs-connections.ts does (entriesOf,
 * stillGoing, describeEntries); the unit tests hold the two to the same fixtures.
 */
import { sh, unshown, type ShellCommand } from '../shell/quote';

export interface IdleWait {
  /** TCP, UDP or SCTP; empty for a fwmark service, whose entries are told apart by the server alone. */
  protocol: string;
  /** The service's address, and its port (empty: any, for a port-0 service); both empty for fwmark. */
  virtualAddress: string;
  virtualPort: string;
  serverAddress: string;
  /** Empty: any port (a fwmark or port-0 service's server). */
  serverPort: string;
  timeout: number;
  poll: number;
  onTimeout: 'fail' | 'continue';
  /** The server as the messages name it: `172.16.100.101:80 of -t 192.168.0.109:80`. */
  label: string;
}

const SCRIPT = String.raw`proto=$1 vaddr=$2 vport=$3 daddr=$4 dport=$5 timeout=$6 pause=$7 on_timeout=$8 label=$9
command -v ipvsadm >/dev/null 2>&1 || { echo 'wait_idle needs ipvsadm on the host' >&2; exit 2; }
start=$(date +%s)
deadline=$((start + timeout))

# Prints "COUNT DESCRIPTION" of the entries that are still traffic to the server.
look() {
  table=$(ipvsadm -L -n -c) || exit 2
  printf '%s\n' "$table" | awk -v proto="$proto" -v vaddr="$vaddr" -v vport="$vport" -v daddr="$daddr" -v dport="$dport" '
    function host(ap) { sub(/:[0-9]+$/, "", ap); gsub(/^\[|\]$/, "", ap); return ap }
    function port(ap) { sub(/.*:/, "", ap); return ap }
    function same(p, want) { return want == "" || p == want || p == "0" }
    NR <= 2 { next }
    {
      if (host($6) != daddr || !same(port($6), dport)) next
      if (proto != "" && ($1 != proto || host($5) != vaddr || !same(port($5), vport))) next
      template = ($3 == "NONE" && port($4) == "0")
      if (!template && ($1 == "TCP" || $1 == "SCTP") && ($3 == "FIN_WAIT" || $3 == "TIME_WAIT" || $3 == "CLOSE" || $3 == "CLOSED")) next
      kind = template ? "persistence template" : $3
      if (!(kind in count)) order[++kinds] = kind
      count[kind]++; total++
    }
    END {
      # Largest count first, then by name, as describeEntries does.
      for (i = 1; i <= kinds; i++) for (j = i + 1; j <= kinds; j++)
        if (count[order[j]] > count[order[i]] || (count[order[j]] == count[order[i]] && order[j] < order[i])) { t = order[i]; order[i] = order[j]; order[j] = t }
      text = ""
      for (i = 1; i <= kinds; i++) {
        k = order[i]; name = k
        if (k == "persistence template" && count[k] > 1) name = k "s"
        text = text (i > 1 ? ", " : "") count[k] " " name
      }
      print total + 0, text
    }'
}

while :; do
  seen=$(look) || exit 2
  left=${'$'}{seen%% *}
  what=${'$'}{seen#* }
  now=$(date +%s)
  if [ "$left" -eq 0 ]; then printf '%s idle after %ss\n' "$label" "$((now - start))"; exit 0; fi
  { printf '%s left (%s), %ss of %ss\n' "$left" "$what" "$((now - start))" "$timeout" >&3; } 2>/dev/null
  [ "$now" -ge "$deadline" ] && break
  wait=$((deadline - now))
  if [ "$pause" -lt "$wait" ]; then sleep "$pause"; else sleep "$wait"; fi
done
report="$label not idle after ${'$'}{timeout}s: $left left ($what)"
if [ "$on_timeout" = continue ]; then printf '%s; going on as on_timeout says\n' "$report"; exit 0; fi
printf '%s\n' "$report" >&2
exit 1`;

export function idleWaitCommand(wait: IdleWait): ShellCommand {
  const parameters = [wait.protocol, wait.virtualAddress, wait.virtualPort, wait.serverAddress, wait.serverPort, String(wait.timeout), String(wait.poll), wait.onTimeout, wait.label];
  return sh`sh -c ${unshown(SCRIPT, 'wait_idle script')} wait_idle ${parameters}`;
}

/** The longest the script can take: its deadline, one last pause and look, and a margin for ipvsadm. */
export function longestIdleWait(wait: IdleWait): number {
  return wait.timeout + wait.poll + 10;
}
