import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { InputError } from '../../../src/errors';
import { KnownHostsReader } from '../../../src/transport/known-hosts-reader';

const fixtures = join(__dirname, '../fixtures/known-hosts');
const fixture = (name: string) => join(fixtures, name);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-known-hosts-reader-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function reader(): { reader: KnownHostsReader; warnings: string[] } {
  const warnings: string[] = [];
  return { reader: new KnownHostsReader((warning) => warnings.push(warning)), warnings };
}

async function loadError(files: string[]): Promise<InputError> {
  const error = await reader().reader.load(files).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('KnownHostsReader.load', () => {
  it('reads several files in order and treats a missing file as empty, as OpenSSH does', async () => {
    const { reader: files, warnings } = reader();
    const knownHosts = await files.load([join(dir, 'does-not-exist'), fixture('known_hosts.hashed'), fixture('known_hosts')]);
    expect(knownHosts.entries).toHaveLength(4 + 7);
    expect(knownHosts.entriesFor('web1.example')[0].source).toBe(`${fixture('known_hosts.hashed')}:1`);
    expect(warnings).toHaveLength(3);
  });

  it('tells the warnings of each file once, however many connections load it', async () => {
    const { reader: files, warnings } = reader();
    const second = join(dir, 'second');
    writeFileSync(second, 'only-a-name\n');
    await Promise.all([files.load([fixture('known_hosts')]), files.load([fixture('known_hosts'), second])]);
    await files.load([second, fixture('known_hosts')]);
    // The two files are read at once: which one's warnings come first depends on the disk.
    expect([...warnings].sort()).toEqual([
      `${fixture('known_hosts')}:11: @cert-authority lines are not supported by lvs (it cannot check host certificates), line ignored; ` +
        'a host it covers needs its own key in known_hosts',
      `${fixture('known_hosts')}:12: expected "hosts key-type base64-key", line ignored`,
      `${fixture('known_hosts')}:13: cannot use this ssh-ed25519 key (Malformed OpenSSH public key), line ignored`,
      `${second}:1: expected "hosts key-type base64-key", line ignored`,
    ].sort());
  });

  it('tells the first five unusable lines of a file, then how many more there are', async () => {
    const { reader: files, warnings } = reader();
    const file = join(dir, 'not-known-hosts');
    const good = readFileSync(fixture('web1-ed25519.pub'), 'utf8').trim();
    writeFileSync(file, [`web1 ${good}`, ...Array.from({ length: 8 }, (_, index) => `line${index}`)].join('\n'));
    const knownHosts = await files.load([file]);
    expect(knownHosts.entries).toHaveLength(1);
    expect(warnings).toEqual([
      ...[2, 3, 4, 5, 6].map((line) => `${file}:${line}: expected "hosts key-type base64-key", line ignored`),
      `${file}: 3 more lines cannot be used and were ignored`,
    ]);
  });

  it('refuses a directory, naming it', async () => {
    const error = await loadError([fixture('known_hosts'), dir]);
    expect(error.exitCode).toBe(4);
    expect(error.describe()).toBe(`${dir}: is a directory, not a known_hosts file (name the file itself, such as ${dir}/known_hosts)`);
  });

  it('refuses a file it cannot open, naming it and why', async () => {
    const loop = join(dir, 'loop');
    symlinkSync(loop, loop);
    expect((await loadError([loop])).describe()).toBe(`${loop}: cannot read this known_hosts file: too many symbolic links encountered (ELOOP)`);
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect((await loadError([join(file, 'known_hosts')])).describe()).toBe(
      `${join(file, 'known_hosts')}: cannot read this known_hosts file: not a directory (ENOTDIR)`,
    );
  });
});
