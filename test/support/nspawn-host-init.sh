#!/bin/sh
# Boots one test host whose PID 1 is systemd: this machine's root, under a private overlay,
# as a systemd-nspawn container in the host's network namespace. netns-hosts.ts starts it as
#   nsenter --net=/run/netns/NS unshare --mount --propagation private sh THIS ...
# (nsenter, not `ip netns exec`, which would mount a fresh /sys without /sys/fs/cgroup, and
# nspawn then fails with "Failed to determine whether the unified cgroups hierarchy is used").
# Everything it mounts is in its own mount namespace; the overlay's upper dir is a tmpfs, so
# nothing a test does in the host reaches this machine's disk.
# Usage: nspawn-host-init.sh NAME ADDRESS/PREFIX HOST_DIR SSHD_CONFIG LAB_DIR CGROUP
set -eu

name=$1
address=$2
host_dir=$3
sshd_config=$4
lab_dir=$5
cgroup=$6

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

layers=$host_dir/layers
mkdir -p "$layers"
mount -t tmpfs tmpfs "$layers"
mkdir -p "$layers/upper" "$layers/work" "$layers/root"
upper=$layers/upper
units=$upper/etc/systemd/system
mkdir -p "$units/multi-user.target.wants" "$upper/root"

# Only what a test host needs boots: every service this machine enables is masked (its
# database, web server, network scripts, timers), and ssh.service gives way to the lab's sshd.
for link in /etc/systemd/system/*.wants/*; do
  [ -e "$link" ] || [ -L "$link" ] || continue
  ln -sf /dev/null "$units/${link##*/}"
done
ln -sf /dev/null "$units/ssh.service"
cat > "$units/lvs-test-sshd.service" <<UNIT
[Unit]
Description=sshd of the lvs test host $name
[Service]
RuntimeDirectory=sshd
RuntimeDirectoryMode=0755
ExecStart=/usr/sbin/sshd -D -f $sshd_config -E $host_dir/sshd.log -o ListenAddress=${address%/*}:22 -o PidFile=$host_dir/sshd.pid
[Install]
WantedBy=multi-user.target
UNIT
ln -s ../lvs-test-sshd.service "$units/multi-user.target.wants/lvs-test-sshd.service"

# A machine id of its own, or nspawn refuses to link journals ("Host and machine ids are equal").
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$upper/etc/machine-id"
echo >> "$upper/etc/machine-id"
printf '%s\n' "$name" > "$upper/etc/hostname"
{ cat /etc/hosts; printf '127.0.1.1\t%s\n' "$name"; } > "$upper/etc/hosts"
# The machine's real .bashrc runs `pyenv init`, which makes every SSH command take seconds.
: > "$upper/root/.bashrc"

mount -t overlay overlay -o "lowerdir=/,upperdir=$upper,workdir=$layers/work" "$layers/root"

ip link set lo up
ip address add "$address" dev eth0
ip link set eth0 up

# The lab dir holds the sshd config and keys, and each host's dir gets its sshd log.
exec systemd-nspawn -D "$layers/root" --boot --register=no --keep-unit -M "$name" --console=pipe \
  --bind="$lab_dir" </dev/null
