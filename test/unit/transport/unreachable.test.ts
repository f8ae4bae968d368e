import { readFileSync } from 'fs';
import { connect } from 'net';
import { join } from 'path';
import { KnownHosts } from '../../../src/transport/known-hosts';
import { connectFailure, describeEndpoint, type Endpoint, hostKeyRefusal, type Ssh2Error } from '../../../src/transport/unreachable';

const endpoint: Endpoint = { role: 'host', user: 'root', host: 'web1.example', port: 2222 };
const context = { timeoutMs: 1500, reached: 'tcp' as const, authentication: 'tried password; the server accepts publickey' };
/** An error as ssh2 emits it: Node's socket error plus the stage ssh2 adds. */
const ssh2Error = (level: string, message: string, code?: string): Ssh2Error => Object.assign(new Error(message), { level, code });

describe('describeEndpoint', () => {
  it('names the user, address and port, and says when it is the jump host', () => {
    expect(describeEndpoint(endpoint)).toBe('root@web1.example:2222');
    expect(describeEndpoint({ ...endpoint, role: 'jump host' })).toBe('jump host root@web1.example:2222');
  });
});

describe('connectFailure', () => {
  it('explains a refused connection from a real socket error', async () => {
    // Port 1 on loopback: nothing listens there on a test machine.
    const error = await new Promise<Error>((resolve) => connect(1, '127.0.0.1').on('error', resolve));
    const explained = connectFailure('web1', endpoint, Object.assign(error, { level: 'client-socket' }), context);
    expect(explained).toMatchObject({ host: 'web1', message: 'connection refused by root@web1.example:2222' });
    expect(explained.hint).toContain('port 2222');
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('says the name does not resolve (%s)', (code) => {
    const explained = connectFailure('web1', endpoint, ssh2Error('client-socket', `getaddrinfo ${code} web1.example`, code), context);
    expect(explained.message).toBe('cannot resolve the host name "web1.example" of root@web1.example:2222');
    expect(explained.hint).toContain('ansible_host');
    expect(explained.hint).toBe('check ansible_host in the inventory, and DNS or /etc/hosts');
  });

  it('says that a host without ansible_host was looked up by its inventory name, and how to give it an address', () => {
    const director: Endpoint = { role: 'host', user: 'root', host: 'director', port: 22 };
    const explained = connectFailure('director', director, ssh2Error('client-socket', 'getaddrinfo ENOTFOUND director', 'ENOTFOUND'), context);
    expect(explained).toMatchObject({
      host: 'director',
      message: 'cannot resolve the host name "director" of root@director:22',
      hint:
        'director has no ansible_host, so lvs looked up its inventory name: give it ansible_host=ADDRESS in the inventory, ' +
        'or in a second inventory added with another -i; for the shipped inventories/lvs-TOPOLOGY, that second inventory ' +
        `is the lab's: -i "$(lvs lab inventory TOPOLOGY)"`,
    });
  });

  it('points at the ProxyJump setting when the jump host does not resolve', () => {
    const jump: Endpoint = { role: 'jump host', user: 'root', host: 'bastion', port: 22 };
    const explained = connectFailure('web1', jump, ssh2Error('client-socket', 'getaddrinfo EAI_AGAIN bastion', 'EAI_AGAIN'), context);
    expect(explained.message).toBe('cannot resolve the host name "bastion" of jump host root@bastion:22');
    expect(explained.hint).toBe('check the jump host in ansible_ssh_common_args (ProxyJump), and DNS or /etc/hosts');
  });

  describe('a connect timeout', () => {
    const timeout = ssh2Error('client-timeout', 'Timed out while waiting for handshake');
    const raise =
      'raise --connect-timeout (1.5 s now; it covers the TCP connect, the SSH handshake and the login, several round trips in all)';

    it('says how far the connection got, and to raise --connect-timeout for a distant host', () => {
      expect(connectFailure('web1', endpoint, timeout, { ...context, reached: 'nothing' })).toMatchObject({
        host: 'web1',
        message: 'no TCP connection to root@web1.example:2222 within 1500 ms',
        hint: `the host may be down, or a firewall drops the packets; if it is only far away or slow, ${raise}`,
      });
      expect(connectFailure('web1', endpoint, timeout, context)).toMatchObject({
        message: 'no SSH handshake with root@web1.example:2222 within 1500 ms',
        hint: `sshd may be overloaded, or something other than sshd answers there; if the host is only far away or slow, ${raise}`,
      });
      expect(connectFailure('web1', endpoint, timeout, { ...context, reached: 'handshake' })).toMatchObject({
        message: 'no login to root@web1.example:2222 within 1500 ms: the SSH handshake was done, authentication was not',
        hint: `sshd may be slow to authenticate (PAM, or UseDNS lookups of this client); if the host is only far away or slow, ${raise}`,
      });
    });
  });

  it('lists the credentials tried when authentication failed', () => {
    const explained = connectFailure('web1', endpoint, ssh2Error('client-authentication', 'All configured authentication methods failed'), context);
    expect(explained.message).toBe('authentication failed for root@web1.example:2222: tried password; the server accepts publickey');
  });

  it('keeps the message of anything else', () => {
    const explained = connectFailure('web1', endpoint, ssh2Error('handshake', 'Handshake failed: no matching key exchange algorithm'), context);
    expect(explained.message).toBe('SSH connection to root@web1.example:2222 failed: Handshake failed: no matching key exchange algorithm');
  });
});

describe('hostKeyRefusal of an unknown key', () => {
  const fixtures = join(__dirname, '../fixtures/known-hosts');
  const publicKey = (name: string) => readFileSync(join(fixtures, `${name}.pub`), 'utf8').split(' ').slice(0, 2).join(' ');
  const blob = (name: string) => Buffer.from(publicKey(name).split(' ')[1], 'base64');
  const port22: Endpoint = { role: 'host', user: 'root', host: 'web1.example', port: 22 };
  const fingerprint = (name: string) => readFileSync(join(fixtures, 'fingerprints.txt'), 'utf8').split('\n').find((line) => line.includes(` ${name} `))!.split(' ')[1];

  it('names the key and the line to add', () => {
    const error = hostKeyRefusal('web1', port22, 'unknown', blob('web1-rsa'), KnownHosts.parse('', 'kh'), '/root/.ssh/known_hosts');
    expect(error.message).toBe(`the host key of root@web1.example:22 is not known: it offers ssh-rsa key ${fingerprint('web1-rsa')}`);
    expect(error.hint).toBe(
      "check that fingerprint with the host's owner (on the host: ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub), " +
        `then add this line to /root/.ssh/known_hosts: web1.example ${publicKey('web1-rsa')} (or turn host key checking off)`,
    );
  });

  it('says which keys known_hosts knows the host by, when the host offered none of them', () => {
    const knownHosts = KnownHosts.parse([`web1.example ${publicKey('web1-ed25519')}`, `web1.example,web2.example ${publicKey('web1-ecdsa')}`].join('\n'), 'kh');
    const error = hostKeyRefusal('web1', port22, 'unknown', blob('web1-rsa'), knownHosts, 'kh');
    expect(error.message).toBe(
      `the host key of root@web1.example:22 is not known: it offers ssh-rsa key ${fingerprint('web1-rsa')}, ` +
        'but known_hosts knows it by ssh-ed25519 (kh:1), ecdsa-sha2-nistp256 (kh:2), which it did not offer',
    );
  });

  it('says that a @cert-authority line covering the host does not count', () => {
    const knownHosts = KnownHosts.parse(`@cert-authority *.example ${publicKey('ca-ed25519')}`, 'kh');
    const error = hostKeyRefusal('web1', port22, 'unknown', blob('web1-rsa'), knownHosts, 'kh');
    expect(error.hint).toMatch(/^lvs cannot check host certificates, so the @cert-authority line at kh:1 does not vouch for it; check that fingerprint /);
  });
});
