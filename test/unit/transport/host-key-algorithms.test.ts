import { hostKeyAlgorithms } from '../../../src/transport/host-key-algorithms';

// OpenSSH 9.2's default order (ssh -G), less certificates and security keys, plus ssh-rsa.
const DEFAULT = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

describe('hostKeyAlgorithms', () => {
  it('offers the default order for a host known by no key', () => {
    expect(hostKeyAlgorithms([])).toEqual(DEFAULT);
  });

  it('puts the algorithms of a known RSA key first, then the others in default order', () => {
    expect(hostKeyAlgorithms(['ssh-rsa'])).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);
  });

  it('orders known types by the default order, not by their order in known_hosts', () => {
    // An RSA line before a (changed) ed25519 line must not make the server show its RSA key.
    const expected = ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];
    expect(hostKeyAlgorithms(['ssh-rsa', 'ssh-ed25519'])).toEqual(expected);
    expect(hostKeyAlgorithms(['ssh-ed25519', 'ssh-rsa'])).toEqual(expected);
  });

  it('keeps each ECDSA curve apart', () => {
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp384']).slice(0, 2)).toEqual(['ecdsa-sha2-nistp384', 'ssh-ed25519']);
  });

  it('ignores types it has no algorithm for (ssh-dss, security keys)', () => {
    expect(hostKeyAlgorithms(['ssh-dss', 'sk-ssh-ed25519@openssh.com'])).toEqual(DEFAULT);
  });
});
