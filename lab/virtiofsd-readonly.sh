#!/bin/sh
# Starts virtiofsd so that it can only read this machine's files: run in a private mount
# namespace (unshare --mount --propagation private), it remounts every mount read-only
# there, keeps only the lab's run dir writable (virtiofsd's socket lives there) and gives
# virtiofsd an empty /run for its pid file. Nothing changes outside that namespace.
# Arguments: RUN_DIR VIRTIOFSD [VIRTIOFSD_ARGS...]
set -u
run=$1
shift
mount --bind "$run" "$run" || exit 1
mount -o remount,bind,ro / || exit 1
findmnt -rn -o TARGET | while read -r target; do
  [ "$target" = / ] || [ "$target" = "$run" ] || mount -o remount,bind,ro "$target" 2>/dev/null \
    || echo "virtiofsd-readonly: cannot make $target read-only" >&2
done
mount -t tmpfs -o mode=755 virtiofsd-run /run || exit 1
exec "$@"
