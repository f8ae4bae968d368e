import { execFileSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { AnyAuthMethod } from 'ssh2';
import { CredentialSequence, gatherCredentials } from '../../../src/transport/auth';
import { UnreachableError } from '../../../src/errors';

let home: string;
const keygen = (file: string, type: string, passphrase = '') =>
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'test', '-f', file]);

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'lvs-auth-'));
  mkdirSync(join(home, '.ssh'));
  keygen(join(home, '.ssh/id_ed25519'), 'ed25519');
  keygen(join(home, '.ssh/id_rsa'), 'rsa', 'a passphrase');
  keygen(join(home, 'deploy_key'), 'ecdsa');
  keygen(join(home, 'encrypted_key'), 'ed25519', 'a passphrase');
  copyFileSync(join(home, 'deploy_key.pub'), join(home, 'only_public'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('gatherCredentials', () => {
  it('uses only the configured key file, then the password', async () => {
    const { credentials } = await gatherCredentials('web1', {
      privateKeyFile: join(home, 'deploy_key'),
      password: 'secret',
      agentSocket: '/run/agent.sock',
      home,
    });
    expect(credentials.map((credential) => credential.label)).toEqual([`publickey (${join(home, 'deploy_key')})`, 'password']);
  });

  it('without a key file: the agent, then the default keys that exist and can be used, then the password', async () => {
    const { credentials, notes } = await gatherCredentials('web1', { agentSocket: '/run/agent.sock', password: 'secret', home });
    expect(credentials.map((credential) => credential.label)).toEqual([
      'agent (/run/agent.sock)',
      `publickey (${join(home, '.ssh/id_ed25519')})`,
      'password',
    ]);
    expect(notes).toEqual([`skipped ${join(home, '.ssh/id_rsa')}: it is encrypted, and lvs does not ask for passphrases`]);
  });

  it('offers nothing when there is nothing to offer', async () => {
    const { credentials } = await gatherCredentials('web1', { home: join(home, 'nowhere') });
    expect(credentials).toEqual([]);
  });

  it.each([
    ['missing', 'no_such_key', 'the file does not exist'],
    ['encrypted', 'encrypted_key', 'it is encrypted, and lvs does not ask for passphrases'],
    ['public', 'only_public', 'it holds a public key, not a private one'],
  ])('refuses a configured key file that is %s, saying why and what to do', async (_case, file, reason) => {
    const attempt = gatherCredentials('web1', { privateKeyFile: join(home, file), home });
    await expect(attempt).rejects.toBeInstanceOf(UnreachableError);
    await expect(attempt).rejects.toMatchObject({
      host: 'web1',
      message: `cannot use the private key ${join(home, file)}: ${reason}`,
      hint: expect.stringContaining('ssh-add'),
    });
  });

  it('refuses a key file it may not read', async () => {
    const attempt = gatherCredentials('web1', { privateKeyFile: home, home });
    await expect(attempt).rejects.toMatchObject({ message: `cannot use the private key ${home}: cannot read it (EISDIR)` });
  });
});

describe('CredentialSequence', () => {
  /** Runs the handler the way ssh2 does: null first, then the methods the server still accepts. */
  function offer(sequence: CredentialSequence, methodsLeft: string[] | null): AnyAuthMethod | false {
    let offered: AnyAuthMethod | false = false;
    sequence.handler(methodsLeft as never, false, (method) => (offered = method as AnyAuthMethod | false));
    return offered;
  }

  it('offers key, agent and password in order, then gives up and describes what it tried', async () => {
    const { credentials } = await gatherCredentials('web1', { agentSocket: '/run/agent.sock', password: 'secret', home });
    const sequence = new CredentialSequence(credentials, 'deploy');
    expect(offer(sequence, null)).toMatchObject({ type: 'agent', username: 'deploy', agent: '/run/agent.sock' });
    expect(offer(sequence, ['publickey', 'password'])).toMatchObject({ type: 'publickey', username: 'deploy' });
    expect(offer(sequence, ['publickey', 'password'])).toEqual({ type: 'password', username: 'deploy', password: 'secret' });
    expect(sequence.exhausted).toBe(false);
    expect(offer(sequence, ['publickey', 'password'])).toBe(false);
    expect(sequence.exhausted).toBe(true);
    expect(sequence.describe()).toBe(
      `tried agent (/run/agent.sock), publickey (${join(home, '.ssh/id_ed25519')}), password; the server accepts publickey, password`,
    );
  });

  it('skips credentials whose method the server does not accept', async () => {
    const { credentials } = await gatherCredentials('web1', { password: 'secret', home });
    const sequence = new CredentialSequence(credentials, 'deploy');
    expect(offer(sequence, ['password'])).toMatchObject({ type: 'password' });
    expect(offer(sequence, ['password'])).toBe(false);
    expect(sequence.describe()).toBe('tried password; the server accepts password');
  });

  it('says so when it had nothing to offer', () => {
    const sequence = new CredentialSequence([], 'deploy');
    expect(offer(sequence, null)).toBe(false);
    expect(sequence.describe()).toBe('had no credentials to offer');
  });
});
