#!/usr/bin/env bash
# Installs what lvs, its tests and its lab need on Debian 12, as root, then the npm
# packages. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  openssh-server openssh-client   # test hosts run real sshd; ssh-keygen makes their keys
  iproute2 util-linux procps kmod # namespaces, veth, bridges, overlays, nsenter
  apache2 curl                    # the httpd task's web server, and checking its page
  ipvsadm sudo                    # the ipvsadm task's tool; become
  keepalived                      # the keepalived task: VRRP and health checks, tested natively (keepalived -t, VRRP)
  busybox-static                  # a small web server some tests serve pages with (and the lab's initramfs)
  e2fsprogs                       # chattr, to make a file unwritable in a test
  ifupdown                        # the network stack ifaddr, route and link persist to in the tests (and the lab hosts)
  ansible-core                    # ansible-inventory, which the inventory comparison test compares lvs with
  systemd-container               # systemd-nspawn: test hosts whose PID 1 is systemd
  dpkg-dev                        # dpkg-scanpackages: the package test's file: repository
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -q
  # No service may start at install time: the tests start their own, in namespaces.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
