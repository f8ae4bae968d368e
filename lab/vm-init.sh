#!/bin/sh
# PID 1 of the lab VM once the initramfs has switched to the host's root (read-only, under a
# tmpfs overlay). It gives the VM a fresh /run and /dev (/tmp stays the host's, seen through
# the overlay, since the lab's cache may live there), makes the lab kernel's module
# tree visible, then runs the lab config ($1): a shell file of calls to the functions below,
# written by src/lab/guest-config.ts with every value quoted. Progress goes to the serial
# console as "lvs-lab: ..." lines, which `lvs lab up` follows.
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
ip link set lo up

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
# qemu's hostfwd reaches each host's sshd at its management address directly.
management_bridge() {
  management=$1
  ip link add "$management" type bridge || fail "cannot create the bridge $management"
  ip link set eth0 master "$management"
  ip link set eth0 up
  ip link set "$management" up
}

# The files every host's sshd uses: its config and the lab's public key.
ssh_access() {
  sshd_config=$1
  authorized_keys=$2
}

# A data-plane segment (a cable or a switch): a bridge with no address.
add_segment() {
  ip link add "$1" type bridge || fail "cannot create the segment $1"
  ip link set "$1" up
}

# add_host NAMESPACE HOSTNAME MGMT_ADDRESS/PREFIX HOST_KEY BRIDGE_PORT
# A host: network, mount, UTS and PID namespaces of its own (so `ps`, `pkill` and pid files
# see only its processes), a management interface on the management bridge and its own
# sshd. host-init.sh stays as the host's PID 1, so the host runs in the background and any
# exit of it is a failure.
add_host() {
  namespace=$1 hostname=$2 address=$3 host_key=$4 port=$5
  ip netns add "$namespace" || fail "cannot create the namespace $namespace"
  ip link add "$port" type veth peer name mgmt0 netns "$namespace" || fail "cannot create $port"
  ip link set "$port" master "$management" up
  ip -n "$namespace" link set lo up
  ip -n "$namespace" address add "$address" dev mgmt0
  ip -n "$namespace" link set mgmt0 up
  (
    ip netns exec "$namespace" unshare --mount --uts --pid --fork --mount-proc --propagation private \
      /bin/sh "$lab_dir/host-init.sh" "$hostname" "${address%/*}" "$host_key" \
      "$authorized_keys" "/lab/$namespace" "$sshd_config"
    say "failed: host $namespace stopped"
  ) &
}

# add_nic NAMESPACE IFNAME SEGMENT BRIDGE_PORT: a NIC of a host, cabled to a segment, up and
# without any address (the playbooks configure it).
add_nic() {
  ip link add "$4" type veth peer name "$2" netns "$1" || fail "cannot create $4"
  ip link set "$4" master "$3" up
  ip -n "$1" link set "$2" up
}

. "$conf"
say "all hosts launched"

# PID 1 must stay; the shell reaps orphaned processes each time it waits for sleep.
while :; do
  sleep 3600
done
