#!/bin/sh
# Removes what crashed test runs left behind: the processes, network namespaces, veths,
# bridges and lab dirs of netns-hosts.ts labs whose owning process is gone.
# A lab whose owner still runs is left alone, so this is safe to run beside other tests,
# and running it twice is harmless.
#
# Names (from netns-hosts.ts): lab dir $TMPDIR/lvs-lab-<owner pid>-XXXXXX with a
# subnet-index file, bridge lvsb<index>, namespaces lvs<index>-<host>, veths lvs<index>-<n>.
set -u
lab_root=${TMPDIR:-/tmp}

live_indexes=" "
a_lab_is_starting=no
stale_dirs=""
for dir in "$lab_root"/lvs-lab-*; do
  [ -d "$dir" ] || continue
  owner=${dir##*/lvs-lab-}
  owner=${owner%%-*}
  # A dir named otherwise is not one this script understands: treat it as live.
  case "$owner" in ''|*[!0-9]*) owner=$$ ;; esac
  if kill -0 "$owner" 2>/dev/null; then
    if [ -f "$dir/subnet-index" ]; then
      live_indexes="$live_indexes$(cat "$dir/subnet-index") "
    else
      a_lab_is_starting=yes
    fi
  else
    stale_dirs="$stale_dirs $dir"
  fi
done

is_live() {
  case "$live_indexes" in *" $1 "*) return 0 ;; esac
  return 1
}

# Each host's launcher, PID 1 and sshd name the lab dir on their command line. Killing a
# host's PID 1 ends every process in its PID namespace. Their parent died with the crashed
# run, so they stay as zombies if this machine's PID 1 does not reap orphans.
if [ -n "$stale_dirs" ]; then
  for proc in /proc/[0-9]*; do
    args=$( { tr '\0' ' ' < "$proc/cmdline"; } 2>/dev/null) || continue
    for dir in $stale_dirs; do
      case "$args" in
        *"$dir/"*) echo "killing ${proc#/proc/}: $args"; kill -KILL "${proc#/proc/}" 2>/dev/null ;;
      esac
    done
  done
fi

if [ "$a_lab_is_starting" = yes ]; then
  # Its bridge may exist before its subnet-index file does.
  echo "a lab is starting; leaving namespaces, veths and bridges alone (run again later)" >&2
else
  for namespace in $(ip netns list | sed -n 's/^\(lvs[0-9][0-9]*-[^ ]*\).*/\1/p'); do
    index=${namespace#lvs}
    index=${index%%-*}
    is_live "$index" && continue
    for pid in $(ip netns pids "$namespace" 2>/dev/null); do
      echo "killing $pid in $namespace"
      kill -KILL "$pid" 2>/dev/null
    done
    echo "deleting namespace $namespace"
    ip netns delete "$namespace"
  done
  for link in $(ip -o link show | sed -n 's/^[0-9]*: \(lvsb[0-9][0-9]*\|lvs[0-9][0-9]*-[0-9][0-9]*\)[:@].*/\1/p'); do
    index=${link#lvs}
    index=${index#b}
    index=${index%%-*}
    is_live "$index" && continue
    echo "deleting link $link"
    # A veth goes away with its peer's namespace, so it may be gone already.
    ip link delete "$link" 2>/dev/null || true
  done
fi

# A systemd host (nspawn-host-init.sh) has cgroups named after its lab dir; what its
# systemd made in them is empty once its processes are gone, so rmdir takes them, deepest first.
for dir in $stale_dirs; do
  for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    for cgroup in "$hierarchy/${dir##*/}"-*; do
      [ -d "$cgroup" ] || continue
      echo "removing cgroup $cgroup"
      find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  done
done

for dir in $stale_dirs; do
  echo "removing $dir"
  rm -rf "$dir"
done
