#!/bin/sh
# PID 1 of a lab host: runs inside the host's own network, mount, UTS and PID namespaces
# (see add_host in vm-init.sh). It gives the host private /etc, /var and /root (overlays whose upper dirs are
# on the VM's /lab tmpfs) and a fresh /run and /tmp, as a machine of its own would have, then
# starts the host's sshd on its management address with the lab's config and host key.
# Arguments: HOSTNAME ADDRESS HOST_KEY AUTHORIZED_KEYS LAYERS_DIR SSHD_CONFIG
set -eu
name=$1 address=$2 host_key=$3 authorized_keys=$4 layers=$5 sshd_config=$6

hostname "$name"
for dir in etc var root; do
  mkdir -p "$layers/$dir/upper" "$layers/$dir/work"
  mount -t overlay -o "lowerdir=/$dir,upperdir=$layers/$dir/upper,workdir=$layers/$dir/work" "$name-$dir" "/$dir"
done

echo "$name" > /etc/hostname
printf '127.0.1.1\t%s\n' "$name" >> /etc/hosts
cp "$sshd_config" /etc/ssh/sshd_config
rm -f /etc/ssh/ssh_host_*
cp "$host_key" /etc/ssh/ssh_host_ed25519_key
cp "$host_key.pub" /etc/ssh/ssh_host_ed25519_key.pub
chmod 600 /etc/ssh/ssh_host_ed25519_key
# The host machine's /root/.bashrc may run slow setup (pyenv): bash sources it for every
# SSH command, which costs seconds under TCG.
: > /root/.bashrc
mkdir -p /root/.ssh
chmod 700 /root/.ssh
cp "$authorized_keys" /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys

# Everything the host needs from the lab's files (which may live under /tmp) is copied:
# now /run and /tmp can start empty.
mount -t tmpfs -o mode=755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p /run/sshd /run/lock

/usr/sbin/sshd -h /etc/ssh/ssh_host_ed25519_key -o "ListenAddress=$address"
read -r uptime _ < /proc/uptime
echo "lvs-lab: [$uptime] host $name: sshd started on $address"

# PID 1 of the host must stay; the shell reaps orphaned daemons each time it waits for sleep.
while :; do
  sleep 3600
done
