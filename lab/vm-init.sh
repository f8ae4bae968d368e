#!/bin/sh
# PID 1 of the lab VM once the initramfs has switched to the host's root (read-only, under a
# tmpfs overlay). It gives the VM a fresh /run and /dev (/tmp stays the host's, seen through
# the overlay, since the lab's cache may live there), makes the lab kernel's module tree
# visible, then runs the lab config ($1): a shell file of calls to the functions below,
# written by src/lab/guest-config.ts with every value quoted. Progress goes to the serial
# console as "lvs-lab: ..." lines, the lab's status channel: `lvs lab up` follows them and
# `lvs lab status` reads them (src/lab/guest-report.ts), so neither has to probe the guest.
#
# Under TCG every process start costs tens of milliseconds, so the config only collects
# the network as `ip -batch` lines, which one `ip` process then builds.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C
lab_dir=$(dirname "$0")
conf=$1

# Each line carries the VM's uptime, so `lvs lab up` can show where boot time goes.
say() {
  read -r uptime _ < /proc/uptime
  echo "lvs-lab: [$uptime] $*"
}

fail() {
  say "failed: $*"
  poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=755 run /run
# Each host runs in a cgroup of its own, so a reboot can end every process of it at once
# (cgroup.kill), and systemd-nspawn, which boots rebooted hosts, needs the unified hierarchy.
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# The hosts' overlay upper dirs: on a tmpfs (an upper dir cannot be on the overlay root), at
# a path no host overlays later.
mkdir -p /lab
mount -t tmpfs -o mode=700 lab /lab
network=/run/lvs-lab-network.ip
hosts=/run/lvs-lab-hosts
# Per host: the `ip -batch` lines that cable it (replayed when it reboots), its veth ends on
# the VM's side, and a flag that marks a reboot in progress.
host_state=/run/lvs-lab-host
mkdir -p "$host_state"
: > "$network"
: > "$hosts"

# The module tree (unpacked from Debian's package on the host) seen at the usual place, so
# modprobe works in the VM and in every host, as it would on a real machine.
kernel_modules() {
  modules_dir=/lib/modules/$(uname -r)
  mkdir -p "$modules_dir"
  mount --bind "$1" "$modules_dir" || fail "cannot bind $1 on $modules_dir"
}

load_modules() {
  modprobe -a "$@" || fail "cannot load the modules $*"
  say "modules loaded: $*"
}

# The bridge that joins qemu's user-mode network (the VM's eth0) to every host's mgmt0, so
# qemu's hostfwd reaches each host's sshd at its management address directly. The VM
# itself has no address on it, and no route anywhere.
management_bridge() {
  management=$1
  cat >> "$network" <<LINES
link add $management type bridge
link set eth0 master $management
link set eth0 up
link set $management up
LINES
}

# The files every host's sshd uses: its config and the lab's public key.
ssh_access() {
  sshd_config=$1
  authorized_keys=$2
}

# A data-plane segment (a cable or a switch): a bridge with no address.
add_segment() {
  cat >> "$network" <<LINES
link add $1 type bridge
link set $1 up
LINES
}

# add_host NAMESPACE HOSTNAME MGMT_ADDRESS/PREFIX HOST_KEY_DIR BRIDGE_PORT MGMT_MAC
# A host's network namespace with mgmt0 cabled to the management bridge; the host itself
# starts once the whole network exists (see start_host).
add_host() {
  cat > "$host_state/$1.ip" <<LINES
netns add $1
link add $5 type veth peer name mgmt0 netns $1 address $6
link set $5 master $management up
LINES
  echo "$5" > "$host_state/$1.ports"
  echo "$1 $2 $3 $4" >> "$hosts"
}

# add_nic NAMESPACE IFNAME SEGMENT BRIDGE_PORT MAC: a NIC of a host, cabled to a segment. The
# host brings it up, without any address (the playbooks configure it).
add_nic() {
  cat >> "$host_state/$1.ip" <<LINES
link add $4 type veth peer name $2 netns $1 address $5
link set $4 master $3 up
LINES
  echo "$4" >> "$host_state/$1.ports"
}

# launch NAMESPACE COMMAND...: runs COMMAND in the background in the host's own cgroup, so
# a reboot can end every process of the host at once. Each boot has a number: a host that
# ends on its own (not because a reboot ended it) is reported as stopped.
launch() {
  launch_namespace=$1
  shift
  launch_cgroup=/sys/fs/cgroup/lvs-lab-$launch_namespace
  mkdir -p "$launch_cgroup"
  read -r launch_boot < "$host_state/$launch_namespace.boot"
  # The subshell's own stderr is dropped: it would say "Killed" when a reboot ends the host.
  (
    sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$launch_cgroup" "$@" < /dev/null 2>&3 3>&-
    read -r current_boot < "$host_state/$launch_namespace.boot"
    [ "$current_boot" != "$launch_boot" ] || say "failed: host $launch_namespace stopped"
  ) 3>&2 2>/dev/null &
}

# A host's first boot: mount, UTS and PID namespaces of its own besides its network namespace
# (so `ps`, `pkill` and pid files see only its processes) and its own sshd. host-init.sh
# stays as the host's PID 1, in the style of SysV init: services start through `service`.
start_host() {
  echo 1 > "$host_state/$1.boot"
  launch "$1" ip netns exec "$1" unshare --mount --uts --pid --fork --mount-proc --propagation private \
    /bin/sh "$lab_dir/host-init.sh" "$1" "$2" "$3" "$4" "$authorized_keys" "/lab/$1" "$sshd_config"
}

# host_named NAMESPACE: sets host_name and host_address for a host of this lab; fails (and
# says so) for any other word a request carries.
host_named() {
  host_name=
  while read -r known_namespace known_name known_address _; do
    [ "$known_namespace" = "$1" ] && host_name=$known_name && host_address=$known_address
  done < "$hosts"
  [ -n "$host_name" ] || { say "control: no host named $1"; return 1; }
}

# reboot_host NAMESPACE: as a power cycle. Every process of the host ends, its network
# namespace goes with everything in it (addresses, routes, sysctls, the IPVS table), and it
# is cabled again as at first. Its disk (/etc, /var, /root: the overlays' upper dirs) stays.
# Then it boots with systemd as PID 1 (host-boot.sh), so what comes back is what the
# distribution's own boot brings back from that disk.
reboot_host() {
  host_named "$1" || return
  say "host $1: rebooting"
  read -r boot < "$host_state/$1.boot"
  echo $((boot + 1)) > "$host_state/$1.boot"
  cgroup=/sys/fs/cgroup/lvs-lab-$1
  echo 1 > "$cgroup/cgroup.kill"
  waited=0
  until grep -q '^populated 0' "$cgroup/cgroup.events"; do
    waited=$((waited + 1))
    [ "$waited" -le 300 ] || { say "host $1: failed: its processes did not end within 30 s"; return; }
    sleep 0.1
  done
  # nspawn leaves cgroups of its own under the host's.
  find "$cgroup" -mindepth 1 -depth -type d -exec rmdir {} \;
  # Deleting the VM's end of a veth deletes both ends at once; the namespace then holds nothing.
  { while read -r port; do echo "link del $port"; done < "$host_state/$1.ports"; echo "netns del $1"; } | ip -batch - \
    || { say "host $1: failed: cannot uncable it"; return; }
  ip -batch "$host_state/$1.ip" || { say "host $1: failed: cannot cable it again"; return; }
  launch "$1" unshare --mount --propagation private /bin/sh "$lab_dir/host-boot.sh" "$1" "$host_name" "/lab/$1" "$modules_dir"
  report_listening "$1" "${host_address%/*}" "$((boot + 1))" &
}

# report_listening NAMESPACE ADDRESS BOOT: says when sshd listens in a host that systemd
# boots (its port 22 in the state LISTEN, 0A, in the namespace's /proc/net/tcp), unless that
# boot has ended meanwhile. Bounded: a boot that takes longer than 20 minutes has failed.
report_listening() {
  polls=0
  while [ "$polls" -lt 2400 ]; do
    read -r current_boot < "$host_state/$1.boot"
    [ "$current_boot" = "$3" ] || return 0
    if nsenter --net="/run/netns/$1" grep -q ':0016 00000000:0000 0A' /proc/net/tcp 2>/dev/null; then
      say "host $1: sshd listens on $2 (booted by systemd)"
      return 0
    fi
    polls=$((polls + 1))
    sleep 0.5
  done
  say "host $1: failed: sshd did not listen within 20 minutes of its reboot"
}

# diagnose NAMESPACE: what a host booted by systemd shows of itself, for a reboot that went
# wrong: its failed units, addresses, warnings and the end of its boot console, on the
# console as "lvs-lab-diagnosis NS: ..." lines (which the status channel does not read as
# events). Bounded, since requests are served one at a time.
diagnose_host() {
  host_named "$1" || return
  [ -e "$host_state/$1.console" ] || { say "control: $1 has not been rebooted"; return; }
  read -r init_pid < "/sys/fs/cgroup/lvs-lab-$1/payload/init.scope/cgroup.procs" 2>/dev/null || init_pid=
  {
    if [ -n "$init_pid" ]; then
      timeout 20 nsenter -t "$init_pid" -a sh -c 'systemctl is-system-running; systemctl --failed --no-legend; ip -o address; journalctl -b -p warning -n 40 --no-pager' 2>&1
    else
      echo "no systemd runs in the host"
    fi
    tail -n 40 "$host_state/$1.console"
  } | sed "s/^/lvs-lab-diagnosis $1: /"
}

# Requests from `lvs lab reboot` arrive on the second serial port, one per line: only the
# verbs below, and only for hosts of this lab. What happens goes to the console.
serve_requests() {
  stty -F /dev/ttyS1 raw -echo || fail "cannot set up the control port"
  while read -r verb argument; do
    case $verb in
      reboot) reboot_host "$argument" ;;
      diagnose) diagnose_host "$argument" ;;
      *) say "control: unknown request $verb" ;;
    esac
  done < /dev/ttyS1
}

. "$conf"
cat "$host_state"/*.ip >> "$network"
ip -batch "$network" || fail "cannot build the lab's network"
while read -r namespace hostname address host_keys; do
  start_host "$namespace" "$hostname" "$address" "$host_keys"
done < "$hosts"
say "all hosts launched"

# PID 1 must stay, and reaps orphaned processes while it serves requests.
serve_requests
fail "the control port closed"
