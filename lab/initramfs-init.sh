#!/bin/busybox sh
# /init of the lab VM's initramfs (busybox only). It mounts the host machine's root, shared
# read-only over virtiofs, under a tmpfs overlay so the VM can write without touching the
# host, then hands PID 1 to the stage-2 script that lives on that root (lab/vm-init.sh).
# The kernel command line names the stage-2 script and the lab config it reads:
#   lvs_stage2=/path/to/lab/vm-init.sh lvs_conf=/path/to/run/guest.conf

/bin/busybox --install -s /bin
export PATH=/bin

fail() {
  echo "lvs-lab: initramfs: $*"
  poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

stage2=
conf=
for word in $(cat /proc/cmdline); do
  case "$word" in
    lvs_stage2=*) stage2=${word#*=} ;;
    lvs_conf=*) conf=${word#*=} ;;
  esac
done
[ -n "$stage2" ] && [ -n "$conf" ] || fail "lvs_stage2= and lvs_conf= are missing from the kernel command line"

for module in virtio_pci virtio_net virtiofs overlay; do
  modprobe "$module" || fail "cannot load $module"
done

mkdir -p /lower /layer /newroot
mount -t virtiofs -o ro hostroot /lower || fail "cannot mount the virtiofs share 'hostroot'"
# The overlay's upper dir must not be on an overlay, so it gets a tmpfs of its own.
mount -t tmpfs -o mode=755 layer /layer
mkdir /layer/upper /layer/work
mount -t overlay -o lowerdir=/lower,upperdir=/layer/upper,workdir=/layer/work root /newroot \
  || fail "cannot mount the overlay root"
[ -f "/newroot$stage2" ] || fail "$stage2 is not on the shared root"

umount /proc /sys /dev
exec switch_root /newroot /bin/sh "$stage2" "$conf"
