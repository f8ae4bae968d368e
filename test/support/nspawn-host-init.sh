#!/bin/sh
# Boots one test host whose PID 1 is systemd: this machine's root, under the host's own
# overlay (its "disk"), as a systemd-nspawn container in the host's network namespace.
# netns-hosts.ts starts it as
#   nsenter --net=/run/netns/NS unshare --mount --propagation private sh THIS ...
# and starts it again, on the same disk and in a fresh network namespace, when the host
# reboots (nspawn exits 133). (nsenter, not `ip netns exec`, which would mount a fresh /sys
# without /sys/fs/cgroup, and nspawn then fails with "Failed to determine whether the
# unified cgroups hierarchy is used".) nspawn moves the namespace's eth0 into a network
# namespace of its own at every boot (--network-interface), so each boot starts from the
# kernel's defaults, and the container keeps CAP_NET_ADMIN and a writable /proc/sys/net, as
# a real machine's root has. (Given the namespace it runs in with --network-namespace-path
# instead, nspawn 252 drops CAP_NET_ADMIN and /proc/sys/net is read-only: ifup fails.)
# The first boot "installs" the host: it writes the units, machine id, hostname and the
# network configuration of the host's stack into the disk's upper dir. Later boots only
# mount the disk and boot: what comes back is what the distribution's own boot brings back.
# Usage: nspawn-host-init.sh NAME ADDRESS/PREFIX HOST_DIR SSHD_CONFIG LAB_DIR CGROUP STACK
#   STACK: ifupdown (networking.service, /etc/network/interfaces) or networkd.
set -eu

name=$1
address=$2
host_dir=$3
sshd_config=$4
lab_dir=$5
cgroup=$6
stack=$7

# nspawn puts the container in cgroups named payload and supervisor under its own: give
# each host a cgroup of its own (netns-hosts.ts removes it), so two hosts never share one.
joined=no
for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
  [ -e "$hierarchy/cgroup.procs" ] || continue
  mkdir -p "$hierarchy/$cgroup"
  echo $$ > "$hierarchy/$cgroup/cgroup.procs"
  joined=yes
  # A unified-only machine has one hierarchy, at /sys/fs/cgroup itself.
  [ "$hierarchy" = /sys/fs/cgroup/systemd ] || [ "$hierarchy" = /sys/fs/cgroup/unified ] || break
done
[ "$joined" = yes ] || { echo "nspawn-host-init.sh: no cgroup hierarchy under /sys/fs/cgroup" >&2; exit 1; }

# nspawn keeps state in /run/systemd/nspawn: on a tmpfs here, not in this machine's /run.
mount -t tmpfs tmpfs /run

# The disk lives in the lab dir, outside this mount namespace, so it outlives a reboot.
disk=$host_dir/disk
upper=$disk/upper
mkdir -p "$upper" "$disk/work" "$host_dir/root"
if [ ! -e "$upper/etc/machine-id" ]; then
  units=$upper/etc/systemd/system
  mkdir -p "$units/multi-user.target.wants" "$units/network-online.target.wants" "$upper/root"

  # Only what a test host needs boots: every service this machine enables is masked (its
  # database, web server, timers) but the network stack the host boots with, and
  # ssh.service gives way to the lab's sshd.
  for link in /etc/systemd/system/*.wants/*; do
    [ -e "$link" ] || [ -L "$link" ] || continue
    [ "$stack" = ifupdown ] && [ "${link##*/}" = networking.service ] && continue
    ln -sf /dev/null "$units/${link##*/}"
  done
  ln -sf /dev/null "$units/ssh.service"
  # This sshd listens on the host's own address, so it waits until the stack has put it on eth0.
  cat > "$units/lvs-test-sshd.service" <<UNIT
[Unit]
Description=sshd of the lvs test host $name
Wants=network-online.target
After=network-online.target
[Service]
RuntimeDirectory=sshd
RuntimeDirectoryMode=0755
ExecStart=/usr/sbin/sshd -D -f $sshd_config -E $host_dir/sshd.log -o ListenAddress=${address%/*}:22 -o PidFile=$host_dir/sshd.pid
[Install]
WantedBy=multi-user.target
UNIT
  ln -s ../lvs-test-sshd.service "$units/multi-user.target.wants/lvs-test-sshd.service"

  # The host's primary NIC, configured the way its stack reads it at boot, as an installer
  # writes it; `auto`, not `allow-hotplug`: there is no udev in a container to hotplug it.
  case $stack in
    ifupdown)
      mkdir -p "$upper/etc/network"
      { cat /etc/network/interfaces
        printf '\n# The loopback network interface\nauto lo\niface lo inet loopback\n'
        printf '\n# The primary network interface\nauto eth0\niface eth0 inet static\n    address %s\n' "$address"
      } > "$upper/etc/network/interfaces"
      ;;
    networkd)
      mkdir -p "$upper/etc/systemd/network"
      printf '[Match]\nName=eth0\n\n[Network]\nAddress=%s\n# No router sends advertisements here: without this, networkd-wait-online waits for one.\nIPv6AcceptRA=no\n' "$address" > "$upper/etc/systemd/network/10-eth0.network"
      ln -s /lib/systemd/system/systemd-networkd.service "$units/multi-user.target.wants/systemd-networkd.service"
      mkdir -p "$units/sockets.target.wants"
      ln -s /lib/systemd/system/systemd-networkd.socket "$units/sockets.target.wants/systemd-networkd.socket"
      ln -s /lib/systemd/system/systemd-networkd-wait-online.service "$units/network-online.target.wants/systemd-networkd-wait-online.service"
      ;;
    *) echo "nspawn-host-init.sh: unknown network stack $stack" >&2; exit 1 ;;
  esac

  printf '%s\n' "$name" > "$upper/etc/hostname"
  { cat /etc/hosts; printf '127.0.1.1\t%s\n' "$name"; } > "$upper/etc/hosts"
  # The machine's real .bashrc runs `pyenv init`, which makes every SSH command take seconds.
  : > "$upper/root/.bashrc"
  # A machine id of its own, or nspawn refuses to link journals ("Host and machine ids are
  # equal"); written last, as the mark of an installed disk.
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$upper/etc/machine-id.new"
  echo >> "$upper/etc/machine-id.new"
  mv "$upper/etc/machine-id.new" "$upper/etc/machine-id"
fi

mount -t overlay overlay -o "lowerdir=/,upperdir=$upper,workdir=$disk/work" "$host_dir/root"

# nspawn waits for udev to have seen eth0 ("Network interface eth0 is not initialized yet")
# unless /sys is read-only, its sign that there is no udev; this machine runs none.
mount -o remount,bind,ro /sys

# The lab dir holds the sshd config and keys, and each host's dir gets its sshd log.
exec systemd-nspawn -D "$host_dir/root" --boot --register=no --keep-unit -M "$name" --console=pipe \
  --network-interface=eth0 --bind="$lab_dir" </dev/null
