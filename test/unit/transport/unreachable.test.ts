import { connect } from 'net';
import { connectFailure, describeEndpoint, type Endpoint, type Ssh2Error } from '../../../src/transport/unreachable';

const endpoint: Endpoint = { role: 'host', user: 'root', host: 'web1.example', port: 2222 };
const context = { timeoutMs: 1500, authentication: 'tried password; the server accepts publickey' };
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

  it('reports the handshake timeout with its length', () => {
    const explained = connectFailure('web1', endpoint, ssh2Error('client-timeout', 'Timed out while waiting for handshake'), context);
    expect(explained.message).toBe('no SSH handshake with root@web1.example:2222 within 1500 ms');
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
