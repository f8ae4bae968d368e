#!/usr/bin/env bash
# The README's first command: the LVS-NAT cluster of the guides, built by lvs on the
# built-in lab (a qemu VM with a real IPVS kernel; every packet stays on this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
lvs() { node bin/run.js "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Starting the lab (the first time also fetches Debian's cloud kernel and builds an initramfs)"
lvs lab up
lab_inventory=$(lvs lab inventory nat)

say "Checking the cluster before touching any host"
lvs validate playbooks/lvs-nat.yml -i inventories/lvs-nat -i "$lab_inventory"

say "Converging LVS-NAT: addresses, forwarding, the IPVS service, routes, web servers, verification"
lvs run playbooks/lvs-nat.yml -i inventories/lvs-nat -i "$lab_inventory"

say "The client asks the VIP six times, without lvs: the real servers answer in turn"
for _ in 1 2 3 4 5 6; do
  lvs lab exec nat client -- curl -s --max-time 5 http://192.168.0.109/ | grep -o 'served by [a-z0-9]*'
done

say "The director's IPVS table"
lvs lab exec nat director -- ipvsadm -L -n

say "Running the playbook again: nothing to change"
lvs run playbooks/lvs-nat.yml -i inventories/lvs-nat -i "$lab_inventory"

say "Done. Try DR and TUN the same way, and stop the lab with: node bin/run.js lab down"
