#!/bin/sh
# PID 1 of a lab host: runs inside the host's own network, mount, UTS and PID namespaces
# (see start_host in vm-init.sh). It brings the host's interfaces up, gives it private /etc,
# /var and /root (overlays whose upper dirs are on the VM's /lab tmpfs) and a fresh /run and
# /tmp, as a machine of its own would have, then starts its sshd on its management address
# with the lab's config and the host's key. Few processes: each costs tens of ms under TCG.
# Arguments: NAMESPACE HOSTNAME MGMT_ADDRESS/PREFIX HOST_KEY_DIR AUTHORIZED_KEYS LAYERS_DIR SSHD_CONFIG
set -eu
namespace=$1 name=$2 address=$3 host_keys=$4 authorized_keys=$5 layers=$6 sshd_config=$7

# mgmt0 and the NICs (eth*) come up; tunl0 (the ipip module's) stays down as on any host.
{
  echo "link set lo up"
  echo "address add $address dev mgmt0"
  echo "link set mgmt0 up"
  for nic in /sys/class/net/eth*; do
    [ -e "$nic" ] && echo "link set ${nic##*/} up"
  done
} | ip -batch -

hostname "$name"
mkdir -p "$layers/etc/upper" "$layers/etc/work" "$layers/var/upper" "$layers/var/work" "$layers/root/upper" "$layers/root/work"
for dir in etc var root; do
  mount -t overlay -o "lowerdir=/$dir,upperdir=$layers/$dir/upper,workdir=$layers/$dir/work" "$name-$dir" "/$dir"
done

echo "$name" > /etc/hostname
printf '127.0.1.1\t%s\n' "$name" >> /etc/hosts
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > /etc/machine-id
echo >> /etc/machine-id

# What an installer leaves on a server's disk, for the boots after a `lvs lab reboot`
# (host-boot.sh): its own NICs in /etc/network/interfaces, read by ifupdown's
# networking.service (the management address, and the data-plane NICs up with no address,
# as this script sets them now), and at boot only the services a bare server runs: sshd,
# networking and the IPVS rules' restore (ipvsadm's script, which restores only with
# AUTO="true"). Everything else this machine enables (apache2, keepalived, databases,
# timers) starts disabled, as on a host that has not been configured yet.
{
  echo "# The lab host $name's own interfaces (lab/host-init.sh); lvs adds its files in interfaces.d."
  printf 'auto lo\niface lo inet loopback\n\n'
  printf 'auto mgmt0\niface mgmt0 inet static\n    address %s\n\n' "$address"
  for nic in /sys/class/net/eth*; do
    [ -e "$nic" ] || continue
    printf 'auto %s\niface %s inet manual\n    up ip link set dev %s up\n\n' "${nic##*/}" "${nic##*/}" "${nic##*/}"
  done
  echo 'source /etc/network/interfaces.d/*'
} > /etc/network/interfaces
# Disabled as Debian's `update-rc.d NAME disable` leaves a service: its S links in runlevels
# 2 to 5 become K links (with none there, `update-rc.d NAME enable` has nothing to turn back).
for link in /etc/systemd/system/*.wants/* /etc/rc[2-5].d/S*; do
  name=${link##*/}
  case $name in
    ssh.service | networking.service | S[0-9][0-9]ssh | S[0-9][0-9]ipvsadm) ;;
    S*) mv "$link" "${link%/*}/K${name#S}" ;;
    *) rm -f "$link" ;;
  esac
done
rm -f /etc/ssh/ssh_host_*
cp "$sshd_config" /etc/ssh/sshd_config
cp "$host_keys/ssh_host_ed25519_key" "$host_keys/ssh_host_ed25519_key.pub" /etc/ssh/
# The host machine's /root/.bashrc may run slow setup (pyenv): bash sources it for every
# SSH command, which costs seconds under TCG.
: > /root/.bashrc
mkdir -p -m 700 /root/.ssh
cp "$authorized_keys" /root/.ssh/authorized_keys

# Everything the host needs from the lab's files (which may live under /tmp) is copied:
# now /run and /tmp can start empty.
mount -t tmpfs -o mode=755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p /run/sshd /run/lock

# The host's lines on the serial console are the lab's status channel: `lvs lab up` and
# `lvs lab status` read them instead of probing sshd, which under TCG costs the guest a
# process start per probe.
say() {
  read -r uptime _ < /proc/uptime
  echo "lvs-lab: [$uptime] host $namespace: $*"
}

# sshd writes its pid file only once its socket listens (sshd.c, right after
# server_listen). Here that file is a FIFO this shell holds open, so reading it blocks,
# without polling, until sshd listens, or until the watcher below reports that sshd ended
# first. Held open read-write, the FIFO never blocks a writer. sshd runs in the foreground
# (-D) under the watcher, so this shell also learns when it ends.
mkfifo /run/sshd.pid
exec 3<> /run/sshd.pid
(
  status=0
  /usr/sbin/sshd -D -h /etc/ssh/ssh_host_ed25519_key -o "ListenAddress=${address%/*}" 3>&- || status=$?
  echo "exited with status $status" >&3
) &
watcher=$!
read -r first <&3
case $first in
  exited*) say "failed: sshd $first before it listened"; exit 1 ;;
esac
# From here on the pid file is an ordinary one, as service scripts and `cat` expect.
echo "$first" > /run/sshd.pid.new
mv /run/sshd.pid.new /run/sshd.pid
say "sshd listens on ${address%/*}"

# The host's PID 1 stays. While it waits for the watcher, the shell also reaps orphaned
# daemons.
wait "$watcher" || true
read -r last <&3
say "failed: sshd $last"
while :; do
  sleep 3600
done
