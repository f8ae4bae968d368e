/**
 * Prepares, once, what the lab VM boots: Debian's cloud kernel (downloaded and unpacked
 * here, never installed as this machine's kernel), a busybox initramfs with the modules
 * needed to mount the shared root, and the lab's SSH keys. Later runs find prepared.json
 * and skip the work, unless the initramfs script changed.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { allHosts } from './topology';
import { hostKeyPath } from './guest-config';
import { LabError } from './lab-error';
import { mustRunLocal, runLocalRaw } from './local-command';
import { APT_ENV, aptCacheDepends, ensurePackages } from './packages';
import { LAB_ASSETS_DIR, type LabPaths } from './paths';

/** The metapackage that follows Debian's current cloud kernel. */
const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';
/** What /init needs before the switch to the shared root (see lab/initramfs-init.sh). */
const BOOT_MODULES = ['virtio_pci', 'virtio_net', 'virtiofs', 'overlay'];
const BUSYBOX = '/bin/busybox';
const INITRAMFS_INIT = join(LAB_ASSETS_DIR, 'initramfs-init.sh');

export interface PreparedLab {
  kernelPackage: string;
  kernelVersion: string;
  kernelImage: string;
  initramfs: string;
  virtiofsd: string;
  /** sha256 of lab/initramfs-init.sh when the initramfs was built. */
  initHash: string;
}

type Progress = (message: string) => void;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readPrepared(paths: LabPaths): Promise<PreparedLab | undefined> {
  try {
    const prepared = JSON.parse(await readFile(paths.preparedFile, 'utf8')) as PreparedLab;
    const present = await Promise.all([prepared.kernelImage, prepared.initramfs].map(exists));
    return present.every(Boolean) ? prepared : undefined;
  } catch {
    return undefined;
  }
}

/** `Depends: linux-image-6.1.0-56-cloud-amd64` names the kernel the metapackage stands for. */
function parseKernelDependency(aptCacheOutput: string): string {
  const match = /^\s*Depends:\s*(linux-image-\S+)\s*$/m.exec(aptCacheOutput);
  if (!match) throw new LabError(`apt-cache depends ${KERNEL_METAPACKAGE} names no linux-image package`);
  return match[1];
}

async function unpackKernel(paths: LabPaths, onProgress: Progress): Promise<{ kernelPackage: string; kernelVersion: string }> {
  const kernelPackage = parseKernelDependency(await aptCacheDepends(KERNEL_METAPACKAGE));
  const kernelVersion = kernelPackage.replace(/^linux-image-/, '');
  onProgress(`downloading ${kernelPackage}`);
  const downloads = join(paths.cache, 'downloads');
  await rm(downloads, { recursive: true, force: true });
  await mkdir(downloads, { recursive: true });
  // As root, apt's download sandbox user cannot write here; the download is verified the same.
  await mustRunLocal('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', kernelPackage], { cwd: downloads, env: APT_ENV });
  const [deb] = (await readdir(downloads)).filter((name) => name.endsWith('.deb'));
  if (!deb) throw new LabError(`apt-get download ${kernelPackage} left no .deb in ${downloads}`);

  onProgress(`unpacking ${deb} into ${paths.kernelRoot}`);
  await rm(paths.kernelRoot, { recursive: true, force: true });
  await mustRunLocal('dpkg-deb', ['-x', join(downloads, deb), paths.kernelRoot]);
  await rm(downloads, { recursive: true, force: true });
  if (!(await exists(join(paths.kernelRoot, 'lib', 'modules', kernelVersion)))) {
    throw new LabError(`${deb} has no lib/modules/${kernelVersion}`);
  }
  await mustRunLocal('depmod', ['-b', paths.kernelRoot, kernelVersion]);
  return { kernelPackage, kernelVersion };
}

/** The module files (with their dependencies) that `modprobe --show-depends` would insert. */
async function moduleClosure(paths: LabPaths, kernelVersion: string): Promise<string[]> {
  const files = new Set<string>();
  for (const module of BOOT_MODULES) {
    const output = await mustRunLocal('modprobe', ['-d', paths.kernelRoot, '-S', kernelVersion, '--show-depends', module]);
    for (const line of output.split('\n')) {
      const match = /^insmod (\S+)/.exec(line);
      if (match) files.add(match[1]);
    }
  }
  return [...files];
}

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return ['.', ...entries.map((entry) => `./${entry}`)];
}

async function buildInitramfs(paths: LabPaths, kernelVersion: string, onProgress: Progress): Promise<void> {
  onProgress('building the initramfs (busybox and the virtio, virtiofs and overlay modules)');
  const staging = join(paths.cache, 'initramfs.d');
  await rm(staging, { recursive: true, force: true });
  for (const dir of ['bin', 'dev', 'proc', 'sys']) await mkdir(join(staging, dir), { recursive: true });
  await copyFile(BUSYBOX, join(staging, 'bin', 'busybox'));
  await chmod(join(staging, 'bin', 'busybox'), 0o755);
  await copyFile(INITRAMFS_INIT, join(staging, 'init'));
  await chmod(join(staging, 'init'), 0o755);

  const modulesDir = join(paths.kernelRoot, 'lib', 'modules', kernelVersion);
  const stagedModulesDir = join(staging, 'lib', 'modules', kernelVersion);
  for (const file of await moduleClosure(paths, kernelVersion)) {
    const target = join(stagedModulesDir, relative(modulesDir, file));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file, target);
  }
  for (const index of ['modules.order', 'modules.builtin', 'modules.builtin.modinfo']) {
    await copyFile(join(modulesDir, index), join(stagedModulesDir, index));
  }
  await mustRunLocal('depmod', ['-b', staging, kernelVersion]);

  const archive = await runLocalRaw(BUSYBOX, ['cpio', '-o', '-H', 'newc'], {
    cwd: staging,
    input: `${(await listTree(staging)).join('\n')}\n`,
  });
  if (archive.exitCode !== 0) throw new LabError(`busybox cpio exited ${archive.exitCode}: ${archive.stderr.toString().trim()}`);
  await writeFile(paths.initramfs, gzipSync(archive.stdout));
  await rm(staging, { recursive: true, force: true });
}

async function ensureKey(path: string, comment: string): Promise<boolean> {
  if (await exists(path)) return false;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await mustRunLocal('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return true;
}

async function ensureKeys(paths: LabPaths, onProgress: Progress): Promise<void> {
  let made = 0;
  if (await ensureKey(paths.clientKey, 'lvs-lab')) made += 1;
  for (const host of allHosts()) {
    if (await ensureKey(hostKeyPath(paths, host.namespace), `lvs-lab ${host.namespace}`)) made += 1;
  }
  if (made > 0) onProgress(`generated ${made} SSH keys in ${dirname(paths.clientKey)}`);
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Makes sure everything the VM boots from is in the cache; cheap when it already is. */
export async function prepareLab(paths: LabPaths, onProgress: Progress): Promise<PreparedLab> {
  const { virtiofsd } = await ensurePackages(onProgress);
  await mkdir(paths.cache, { recursive: true });
  await ensureKeys(paths, onProgress);

  const initHash = await sha256(INITRAMFS_INIT);
  const previous = await readPrepared(paths);
  if (previous && previous.initHash === initHash && previous.virtiofsd === virtiofsd) return previous;

  const kernel = previous ?? (await unpackKernel(paths, onProgress));
  await buildInitramfs(paths, kernel.kernelVersion, onProgress);
  const prepared: PreparedLab = {
    kernelPackage: kernel.kernelPackage,
    kernelVersion: kernel.kernelVersion,
    kernelImage: join(paths.kernelRoot, 'boot', `vmlinuz-${kernel.kernelVersion}`),
    initramfs: paths.initramfs,
    virtiofsd,
    initHash,
  };
  await writeFile(paths.preparedFile, `${JSON.stringify(prepared, null, 2)}\n`);
  onProgress(`prepared ${kernel.kernelPackage} and the initramfs in ${paths.cache}`);
  return prepared;
}
