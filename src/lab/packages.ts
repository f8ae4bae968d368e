/**
 * The Debian packages the lab needs on this machine. The VM runs this machine's own root, so
 * the lab's hosts have exactly the programs installed here: the ipvsadm, keepalived, apache2 and curl
 * the playbooks use must be installed here too.
 */
import { access, constants, rm, stat, writeFile } from 'node:fs/promises';
import { LabError } from './lab-error';
import { mustRunLocal, runLocal } from './local-command';

export const REQUIRED_PACKAGES = [
  'qemu-system-x86',
  'busybox-static',
  'openssh-server',
  'openssh-client',
  'iproute2',
  'kmod',
  'util-linux',
  'procps',
  'ipvsadm',
  // The keepalived task's daemon on the lab's directors.
  'keepalived',
  'apache2',
  'curl',
  // The network stack the lab hosts persist addresses, routes and links to (ifaddr's default).
  'ifupdown',
];

/** Debian 12 ships virtiofsd with qemu; later releases in a package of its own. */
const VIRTIOFSD_LOCATIONS = ['/usr/libexec/virtiofsd', '/usr/lib/qemu/virtiofsd'];
const VIRTIOFSD_PACKAGE = 'virtiofsd';
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LANG: 'C' };

/** One dpkg-query for all names; it exits 1 when some are unknown but still lists the rest. */
async function missingPackages(names: string[]): Promise<string[]> {
  const result = await runLocal('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...names]);
  const installed = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  return names.filter((name) => !installed.has(name));
}

function installCommand(names: string[]): string[] {
  return ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...names];
}

/**
 * Without systemd, installing apache2 or openssh-server would start it on this machine.
 * Debian's invoke-rc.d asks /usr/sbin/policy-rc.d first: exit 101 means "do not start".
 */
async function withoutServiceStarts(install: () => Promise<void>): Promise<void> {
  const existing = await stat(POLICY_RC_D).then(
    () => true,
    () => false,
  );
  if (!existing) await writeFile(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await install();
  } finally {
    if (!existing) await rm(POLICY_RC_D, { force: true });
  }
}

/** Installs the given packages, refreshing apt's lists once if they are stale or missing. */
async function aptInstall(names: string[], onProgress: (message: string) => void): Promise<void> {
  const [program, ...args] = installCommand(names);
  if (process.getuid?.() !== 0) {
    throw new LabError(`the lab needs these Debian packages: ${names.join(' ')}`, `Install them as root: ${[program, ...args].join(' ')}`);
  }
  onProgress(`installing ${names.join(' ')}`);
  await withoutServiceStarts(async () => {
    const first = await runLocal(program, args, { env: APT_ENV });
    if (first.exitCode === 0) return;
    onProgress('apt-get install failed; refreshing the package lists and trying again');
    await mustRunLocal('apt-get', ['update', '-q'], { env: APT_ENV });
    await mustRunLocal(program, args, { env: APT_ENV });
  });
}

async function findExecutable(candidates: string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not at this location; try the next
    }
  }
  return undefined;
}

/** Installs what is missing and returns the virtiofsd to use. */
export async function ensurePackages(onProgress: (message: string) => void): Promise<{ virtiofsd: string }> {
  const missing = await missingPackages(REQUIRED_PACKAGES);
  if (missing.length > 0) await aptInstall(missing, onProgress);

  let virtiofsd = await findExecutable(VIRTIOFSD_LOCATIONS);
  if (!virtiofsd) {
    await aptInstall([VIRTIOFSD_PACKAGE], onProgress);
    virtiofsd = await findExecutable(VIRTIOFSD_LOCATIONS);
  }
  if (!virtiofsd) throw new LabError(`no virtiofsd found at ${VIRTIOFSD_LOCATIONS.join(' or ')}`);
  return { virtiofsd };
}

/** Runs apt-cache, refreshing apt's lists first if they are missing (a fresh machine has none). */
export async function aptCacheDepends(name: string): Promise<string> {
  let result = await runLocal('apt-cache', ['depends', name], { env: APT_ENV });
  if (result.exitCode !== 0 || !result.stdout.includes('Depends:')) {
    await mustRunLocal('apt-get', ['update', '-q'], { env: APT_ENV });
    result = await runLocal('apt-cache', ['depends', name], { env: APT_ENV });
  }
  if (result.exitCode !== 0) throw new LabError(`apt-cache depends ${name} exited ${result.exitCode}: ${result.stderr.trim()}`);
  return result.stdout;
}
