/**
 * The host key algorithms offered to a host, in order. The server takes the first one it
 * also has, and that key is the one checked against known_hosts. Like OpenSSH's client
 * (order_hostkeyalgs in sshconnect2.c), the algorithms of the key types known_hosts has for
 * the host come first, in the default order, and the others follow: a host known by its
 * ed25519 and RSA keys is asked for its ed25519 key, so a changed ed25519 key is refused
 * even though the RSA key still matches, whatever the order of the lines.
 */
import type { ServerHostKeyAlgorithm } from 'ssh2';

/**
 * OpenSSH's default HostKeyAlgorithms (`ssh -G HOST`) without certificates and security
 * keys, which ssh2 cannot use, and with ssh-rsa (SHA-1 signatures) last: ssh2 still offers
 * it, for old servers.
 */
const DEFAULT_ORDER: ReadonlyArray<{ algorithm: ServerHostKeyAlgorithm; keyType: string }> = [
  { algorithm: 'ssh-ed25519', keyType: 'ssh-ed25519' },
  { algorithm: 'ecdsa-sha2-nistp256', keyType: 'ecdsa-sha2-nistp256' },
  { algorithm: 'ecdsa-sha2-nistp384', keyType: 'ecdsa-sha2-nistp384' },
  { algorithm: 'ecdsa-sha2-nistp521', keyType: 'ecdsa-sha2-nistp521' },
  { algorithm: 'rsa-sha2-512', keyType: 'ssh-rsa' },
  { algorithm: 'rsa-sha2-256', keyType: 'ssh-rsa' },
  { algorithm: 'ssh-rsa', keyType: 'ssh-rsa' },
];

/** `knownKeyTypes`: the types of the host's keys in known_hosts, as keys name them (`ssh-rsa`). */
export function hostKeyAlgorithms(knownKeyTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const known = DEFAULT_ORDER.filter((entry) => knownKeyTypes.includes(entry.keyType));
  const others = DEFAULT_ORDER.filter((entry) => !knownKeyTypes.includes(entry.keyType));
  return [...known, ...others].map((entry) => entry.algorithm);
}
