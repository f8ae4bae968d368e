#!/bin/sh
# PID 1 of one test host. netns-hosts.ts starts it as
#   ip netns exec NS unshare --mount --uts --pid --fork --kill-child --mount-proc --propagation private sh THIS ...
# so it runs in the host's own network, mount, UTS and PID namespaces; what it mounts
# here is seen by this host only.
# Usage: netns-host-init.sh NAME ADDRESS/PREFIX HOST_DIR SSHD_CONFIG OVERLAID_DIRS
# (OVERLAID_DIRS: the top-level dirs to overlay, space-separated: "etc var run root [usr]")
set -eu

# Everything below would change the real machine if run outside a fresh PID namespace.
if [ "$$" != 1 ]; then
  echo "netns-host-init.sh must run as PID 1 of a new PID namespace (see netns-hosts.ts)" >&2
  exit 1
fi

name=$1
address=$2
host_dir=$3
sshd_config=$4
overlaid_dirs=$5

hostname "$name"

# Private, writable views of the real /etc, /var, /run and /root (and /usr when asked):
# what a task writes on this host lands in $host_dir/upper and no other host sees it.
for dir in $overlaid_dirs; do
  case "$dir" in etc|var|run|root|usr) ;; *) echo "netns-host-init.sh: will not overlay /$dir" >&2; exit 1 ;; esac
  mount -t overlay overlay \
    -o "lowerdir=/$dir,upperdir=$host_dir/upper/$dir,workdir=$host_dir/work/$dir" "/$dir"
done
printf '%s\n' "$name" > /etc/hostname
# As on a Debian host: its own name resolves without DNS (sudo looks it up on every run).
printf '127.0.1.1\t%s\n' "$name" >> /etc/hosts
# The machine's real .bashrc runs `pyenv init`, which makes every SSH command take seconds.
: > /root/.bashrc
# The root namespace's /run/netns entries show up here as empty files, and iproute2 then
# prints "Peer netns reference is invalid" for every veth. A real host has none.
rm -rf /run/netns
# sshd's privilege separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd

ip link set lo up
ip address add "$address" dev eth0
ip link set eth0 up

# The PidFile holds sshd's pid inside this PID namespace; netns-hosts.ts reports the
# root namespace's view of it as sshdPid.
/usr/sbin/sshd -D -f "$sshd_config" -E "$host_dir/sshd.log" \
  -o "ListenAddress=${address%/*}:22" -o "PidFile=$host_dir/sshd.pid" &

# As PID 1 this shell inherits every orphan of the host (daemons started over SSH).
# Waiting on a foreground child keeps it in waitpid(-1), which reaps them as well.
while :; do sleep 3600; done
