#!/bin/sh
# A lab host's boot after `lvs lab reboot` (see reboot_host in vm-init.sh): systemd as the
# host's PID 1, in a systemd-nspawn container joined to the host's network namespace. Its
# disk is what it had before: the VM's root below, and on top the same upper dirs for /etc,
# /var and /root that its first boot used (host-init.sh), plus one for the rest of the tree.
# /run and /tmp start empty. Whatever comes back (addresses, routes, sysctls, the IPVS
# table, running services) is what the distribution's units bring back from that disk.
# Runs in a mount namespace of its own. Arguments: NAMESPACE HOSTNAME LAYERS_DIR MODULES_DIR
set -eu
namespace=$1 name=$2 layers=$3 modules=$4

root=$layers/machine
mkdir -p "$layers/system/upper" "$layers/system/work" "$root"
mount -t overlay -o "lowerdir=/,upperdir=$layers/system/upper,workdir=$layers/system/work" "$name-system" "$root"
for dir in etc var root; do
  mount -t overlay -o "lowerdir=/$dir,upperdir=$layers/$dir/upper,workdir=$layers/$dir/work" "$name-$dir" "$root/$dir"
done

# The container's console (systemd's boot messages) goes to a file in the VM, not to the
# lab's status channel. The module tree is a bind mount in the VM, which the overlay of /
# does not show, so it is bound in again for modprobe; and nspawn's /sys for a container
# with its own network namespace has no /sys/module, where a machine shows its loaded
# modules (the kmod and ipvsadm tasks read it), so that is bound in too. A network namespace given by path
# does not bring CAP_NET_ADMIN with it as --private-network does (without it every `ip` of
# networking.service got "Operation not permitted"); the host owns its namespace, as a
# machine owns its network. For the same reason its /proc/sys/net must be writable, which
# nspawn (252, in the lab VM) did not make it by itself: sysctl -w of arp_ignore was denied.
SYSTEMD_NSPAWN_API_VFS_WRITABLE=network exec systemd-nspawn --quiet -D "$root" --boot --register=no --keep-unit -M "$name" \
  --network-namespace-path="/run/netns/$namespace" --capability=CAP_NET_ADMIN --bind-ro="$modules" --bind-ro=/sys/module --tmpfs=/tmp \
  --resolv-conf=off --timezone=off --link-journal=no --console=pipe \
  > "/run/lvs-lab-host/$namespace.console" 2>&1
