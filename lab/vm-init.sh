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
# The hosts' overlay upper dirs: on a tmpfs (an upper dir cannot be on the overlay root), at
# a path no host overlays later.
mkdir -p /lab
mount -t tmpfs -o mode=700 lab /lab
network=/run/lvs-lab-network.ip
hosts=/run/lvs-lab-hosts
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

# add_host NAMESPACE HOSTNAME MGMT_ADDRESS/PREFIX HOST_KEY_DIR BRIDGE_PORT
# A host's network namespace with mgmt0 cabled to the management bridge; the host itself
# starts once the whole network exists (see start_host).
add_host() {
  cat >> "$network" <<LINES
netns add $1
link add $5 type veth peer name mgmt0 netns $1
link set $5 master $management up
LINES
  echo "$1 $2 $3 $4" >> "$hosts"
}

# add_nic NAMESPACE IFNAME SEGMENT BRIDGE_PORT: a NIC of a host, cabled to a segment. The
# host brings it up, without any address (the playbooks configure it).
add_nic() {
  cat >> "$network" <<LINES
link add $4 type veth peer name $2 netns $1
link set $4 master $3 up
LINES
}

# A host: mount, UTS and PID namespaces of its own besides its network namespace (so `ps`,
# `pkill` and pid files see only its processes) and its own sshd. host-init.sh stays as the
# host's PID 1, so the host runs in the background and any exit of it is a failure.
start_host() {
  (
    ip netns exec "$1" unshare --mount --uts --pid --fork --mount-proc --propagation private \
      /bin/sh "$lab_dir/host-init.sh" "$1" "$2" "$3" "$4" "$authorized_keys" "/lab/$1" "$sshd_config"
    say "failed: host $1 stopped"
  ) &
}

. "$conf"
ip -batch "$network" || fail "cannot build the lab's network"
while read -r namespace hostname address host_keys; do
  start_host "$namespace" "$hostname" "$address" "$host_keys"
done < "$hosts"
say "all hosts launched"

# PID 1 must stay; the shell reaps orphaned processes each time it waits for sleep.
while :; do
  sleep 3600
done
