/**
 * The wait of the wait_for task: one POSIX sh script that polls on the host until its
 * condition holds or its deadline passes, so a wait costs one command, however long. It is
 * a constant; every value reaches it as a quoted positional parameter.
 *
 * A TCP connection is opened with bash's /dev/tcp (dash, Debian's sh, has none, so bash is
 * run for it) or, without bash, with `nc -z`; `drained` counts the port's connections in
 * `ss -tan` (iproute2). `timeout` (coreutils or busybox) bounds each attempt.
 */
import { sh, unshown, type ShellCommand } from '../shell/quote';

export interface Wait {
  kind: 'port' | 'drained' | 'file' | 'sleep';
  /** For a port: open or closed; for a file: present or absent. */
  want: 'open' | 'closed' | 'present' | 'absent' | '';
  host: string;
  port: string;
  path: string;
  regex: string;
  timeout: number;
  delay: number;
  sleep: number;
  connectTimeout: number;
  /** ss's names of the states that count as active: ESTAB, TIME-WAIT, ... */
  states: string[];
  excludeHosts: string[];
  /** What it waits for, in words: `127.0.0.1:8080 to be open`. */
  goal: string;
  /** Said instead of the timeout message when given (Ansible's msg). */
  msg: string;
}

const SCRIPT = String.raw`kind=$1 want=$2 target=$3 port=$4 path=$5 regex=$6 timeout=$7 delay=$8 pause=$9
connect=${'$'}{10} states=${'$'}{11} exclude=${'$'}{12} goal=${'$'}{13} msg=${'$'}{14}
start=$(date +%s)
deadline=$((start + timeout))
seen='nothing yet'
if command -v bash >/dev/null 2>&1; then tcp=bash
elif command -v nc >/dev/null 2>&1; then tcp=nc
else tcp=none; fi

# Opens a connection; with a regex, also keeps the first chunk the port sends within connect
# seconds (dd writes it at once; head would lose its buffer when timeout stops it).
tcp_open() {
  sent=''
  case $tcp in
    bash)
      out=$(timeout "$connect" bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1; echo lvs-connected; [ -z "$2" ] || exec dd bs=65536 count=1 <&3 2>/dev/null' "$target" "$port" "$regex" 2>&1)
      rc=$?
      case $out in
        lvs-connected*) sent=${'$'}{out#lvs-connected}; return 0 ;;
      esac ;;
    nc)
      [ -z "$regex" ] || { echo 'search_regex on a port needs bash on the host' >&2; exit 2; }
      out=$(timeout "$connect" nc -z -w "$connect" "$target" "$port" 2>&1)
      rc=$?
      [ "$rc" -eq 0 ] && return 0 ;;
    *) echo 'wait_for needs bash or nc on the host to open a TCP connection' >&2; exit 2 ;;
  esac
  if [ "$rc" -eq 124 ]; then why="no answer within ${'$'}{connect}s"
  else why=$(printf '%s\n' "$out" | tail -n 1); why=${'$'}{why##*: }; [ -n "$why" ] || why="exit $rc"; fi
  return 1
}

check() {
  case $kind in
    port)
      if tcp_open; then
        if [ "$want" = closed ]; then seen="$target:$port is open"; return 1; fi
        if [ -n "$regex" ] && ! printf '%s' "$sent" | grep -Eq -- "$regex"; then seen="$target:$port is open, but what it sent does not match $regex"; return 1; fi
        seen="$target:$port is open"; return 0
      fi
      seen="$target:$port is closed ($why)"
      [ "$want" = closed ] ;;
    file)
      if [ -e "$path" ]; then
        if [ "$want" = absent ]; then seen="$path exists"; return 1; fi
        if [ -n "$regex" ] && ! grep -Eq -- "$regex" "$path" 2>/dev/null; then seen="$path exists, but no line matches $regex"; return 1; fi
        seen="$path exists"; return 0
      fi
      seen="$path does not exist"
      [ "$want" = absent ] ;;
    drained)
      command -v ss >/dev/null 2>&1 || { echo 'state=drained needs ss (iproute2) on the host' >&2; exit 2; }
      active=$(ss -tan | awk -v port="$port" -v host="$target" -v states=" $states " -v exclude=" $exclude " '
        NR > 1 && index(states, " " $1 " ") {
          l = $4; p = $5
          lport = l; sub(/.*:/, "", lport)
          laddr = l; sub(/:[^:]*$/, "", laddr); gsub(/\[|\]/, "", laddr); sub(/%.*$/, "", laddr); sub(/^::ffff:/, "", laddr)
          paddr = p; sub(/:[^:]*$/, "", paddr); gsub(/\[|\]/, "", paddr); sub(/%.*$/, "", paddr); sub(/^::ffff:/, "", paddr)
          if (lport != port) next
          if (host != "0.0.0.0" && host != "::" && laddr != host) next
          if (index(exclude, " " paddr " ")) next
          printf "%s %s -> %s\n", $1, l, p
        }')
      if [ -z "$active" ]; then seen="no active connections on port $port"; return 0; fi
      seen="$(printf '%s\n' "$active" | wc -l) active connections on port $port, such as $(printf '%s\n' "$active" | head -n 1)"
      return 1 ;;
  esac
}

[ "$delay" -gt 0 ] && sleep "$delay"
if [ "$kind" = sleep ]; then sleep "$timeout"; echo "waited ${'$'}{timeout}s"; exit 0; fi
while :; do
  if check; then printf '%s after %ss\n' "$seen" "$(($(date +%s) - start))"; exit 0; fi
  now=$(date +%s)
  [ "$now" -ge "$deadline" ] && break
  left=$((deadline - now))
  if [ "$pause" -lt "$left" ]; then sleep "$pause"; else sleep "$left"; fi
done
if [ -n "$msg" ]; then printf '%s (last seen: %s)\n' "$msg" "$seen" >&2
else printf 'timed out after %ss waiting for %s; last seen: %s\n' "$timeout" "$goal" "$seen" >&2; fi
exit 1`;

export function waitCommand(wait: Wait): ShellCommand {
  const parameters = [
    wait.kind,
    wait.want,
    wait.host,
    wait.port,
    wait.path,
    wait.regex,
    String(wait.timeout),
    String(wait.delay),
    String(wait.sleep),
    String(wait.connectTimeout),
    wait.states.join(' '),
    wait.excludeHosts.join(' '),
    wait.goal,
    wait.msg,
  ];
  return sh`sh -c ${unshown(SCRIPT, 'wait_for script')} wait_for ${parameters}`;
}

/** The longest the script can take: the delay, the timeout, then one last sleep and attempt. */
export function longestWait(wait: Wait): number {
  return wait.delay + wait.timeout + wait.sleep + 2 * wait.connectTimeout;
}
