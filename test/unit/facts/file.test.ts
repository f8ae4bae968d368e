/**
 * A remote file: the fact (what is there, through symbolic links) and the atomic write
 * that replaces it. The commands run in this machine's own sh on a scratch directory, the
 * same commands a host runs; the tasks' use of them on real hosts is in
 * test/integration/tasks/template.test.ts and sysctl.test.ts.
 */
import { spawnSync } from 'child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { setFileAttributes, writeFileAtomically } from '../../../src/changes/file';
import { parseRemoteFile, refuseOtherType, remoteFile } from '../../../src/facts/file';
import type { ShellCommand } from '../../../src/shell/quote';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-file-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(command: ShellCommand) {
  const result = spawnSync('sh', ['-c', command.text], { encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' }, timeout: 10_000 });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? -1 };
}

describe('remoteFile fact', () => {
  it('is one command that follows links, every operand after --', () => {
    expect(remoteFile('/etc/sysctl.conf').command.text).toBe(
      "if [ -f /etc/sysctl.conf ]; then stat -L -c '%a %U %G' -- /etc/sysctl.conf && base64 -w0 -- /etc/sysctl.conf\n" +
        "elif [ -e /etc/sysctl.conf ]; then stat -L -c 'lvs-not-a-file %F' -- /etc/sysctl.conf\n" +
        'else echo absent; fi',
    );
  });

  // Output captured from that command on Debian 12 (coreutils 9.1), as root.
  it.each([
    ['a regular file', '640 root root\nbmV0LmlwdjQuaXBfZm9yd2FyZCA9IDEK', { exists: true, content: 'net.ipv4.ip_forward = 1\n', mode: '640', owner: 'root', group: 'root', sha256: 'e2c2ac17097616ee184af9965776f83ad87dcf9e82ada5c8a3ea0f8371813fe8' }],
    ['nothing', 'absent\n', { exists: false, content: '' }],
    ['a directory', 'lvs-not-a-file directory\n', { exists: false, content: '', otherType: 'directory' }],
    ['a fifo', 'lvs-not-a-file fifo\n', { exists: false, content: '', otherType: 'fifo' }],
    ['/dev/null', 'lvs-not-a-file character special file\n', { exists: false, content: '', otherType: 'character special file' }],
  ])('reads %s', (_what, stdout, expected) => {
    expect(parseRemoteFile({ stdout, stderr: '', exitCode: 0 })).toEqual(expected);
  });

  it('reads through a symbolic link, and a dangling one as nothing', () => {
    writeFileSync(join(dir, 'sysctl.conf'), 'net.ipv4.ip_forward = 1\n', { mode: 0o640 });
    symlinkSync('sysctl.conf', join(dir, 'link.conf'));
    symlinkSync('missing', join(dir, 'dangling'));
    const read = (name: string) => parseRemoteFile(run(remoteFile(join(dir, name)).command));
    expect(read('link.conf')).toMatchObject({ exists: true, content: 'net.ipv4.ip_forward = 1\n', mode: '640' });
    expect(read('link.conf')).toEqual(read('sysctl.conf'));
    expect(read('dangling')).toEqual({ exists: false, content: '' });
    mkdirSync(join(dir, 'sub'));
    expect(read('sub').otherType).toBe('directory');
  });

  it('refuseOtherType names the argument and what is there', () => {
    expect(() => refuseOtherType({ exists: false, content: '', otherType: 'directory' }, 'dest /x')).toThrow(/^dest \/x is a directory, /);
    expect(() => refuseOtherType({ exists: false, content: '' }, 'dest /x')).not.toThrow();
    expect(() => refuseOtherType({ exists: true, content: 'x' }, 'dest /x')).not.toThrow();
  });
});

describe('writeFileAtomically', () => {
  it('is written out as one command, operands after --', () => {
    expect(writeFileAtomically('/etc/motd', 'hi\n', { mode: '0600', owner: 'root', group: 'adm' }).text).toBe(
      "{ { lvs_dest=$(readlink -f -- /etc/motd) || lvs_dest=/etc/motd; } && { [ -f \"$lvs_dest\" ] || [ ! -e \"$lvs_dest\" ] || { echo '/etc/motd is not a regular file' >&2; false; }; } && " +
        'lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX") && printf %s aGkK | base64 -d > "$lvs_tmp" && chmod -- 0600 "$lvs_tmp" && chown -- root:adm "$lvs_tmp" && ' +
        'mv -f -- "$lvs_tmp" "$lvs_dest"; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; }',
    );
    expect(setFileAttributes('/etc/motd', { mode: '0600', owner: 'root', group: 'adm' }).map((command) => command.text)).toEqual([
      'chmod -- 0600 /etc/motd',
      'chown -- root:adm /etc/motd',
    ]);
  });

  it('creates a missing file and replaces a regular one, leaving no temporary file', () => {
    const path = join(dir, 'motd');
    expect(run(writeFileAtomically(path, 'one\n')).exitCode).toBe(0);
    expect(run(writeFileAtomically(path, 'two\n', { mode: '0600' })).exitCode).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['motd']);
  });

  it('follows a symbolic link: the target gets the content, the link stays a link', () => {
    mkdirSync(join(dir, 'sysctl.d'));
    writeFileSync(join(dir, 'sysctl.conf'), 'old\n');
    symlinkSync('../sysctl.conf', join(dir, 'sysctl.d', '99-sysctl.conf'));
    expect(run(writeFileAtomically(join(dir, 'sysctl.d', '99-sysctl.conf'), 'new\n')).exitCode).toBe(0);
    expect(lstatSync(join(dir, 'sysctl.d', '99-sysctl.conf')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'sysctl.d', '99-sysctl.conf'))).toBe('../sysctl.conf');
    expect(readFileSync(join(dir, 'sysctl.conf'), 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['sysctl.conf', 'sysctl.d']);
    expect(readdirSync(join(dir, 'sysctl.d'))).toEqual(['99-sysctl.conf']);
  });

  it('creates the target of a dangling link', () => {
    symlinkSync('target.conf', join(dir, 'link.conf'));
    expect(run(writeFileAtomically(join(dir, 'link.conf'), 'x\n')).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'target.conf'), 'utf8')).toBe('x\n');
    expect(lstatSync(join(dir, 'link.conf')).isSymbolicLink()).toBe(true);
  });

  it.each([
    ['a directory', (path: string) => mkdirSync(path)],
    ['a fifo', (path: string) => spawnSync('mkfifo', [path])],
    ['a link to a directory', (path: string) => (mkdirSync(`${path}.d`), symlinkSync(`${path}.d`, path))],
  ])('refuses %s there, and leaves nothing behind', (_what, make) => {
    const path = join(dir, 'dest');
    make(path);
    const before = readdirSync(dir).sort();
    const result = run(writeFileAtomically(path, 'x\n'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`${path} is not a regular file\n`);
    expect(readdirSync(dir).sort()).toEqual(before);
    if (statSync(path).isDirectory()) expect(readdirSync(path)).toEqual([]);
  });

  it('fails with mktemp\'s own message when the directory is missing', () => {
    const result = run(writeFileAtomically(join(dir, 'missing', 'file'), 'x\n'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^mktemp: failed to create file via template '.*\/missing\/file\.lvs-XXXXXX': No such file or directory\n$/);
  });
});
