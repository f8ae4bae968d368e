/**
 * Turns what went wrong while connecting into an UnreachableError that says what happened
 * and what to do about it, in the words an operator uses (not ssh2's error levels).
 */
import { UnreachableError } from '../errors';
import { type HostKeyVerdict, type KnownHosts, hostString, keyTypeOf, knownHostsLine, sha256Fingerprint } from './known-hosts';
import { quote } from '../shell/quote';

/** One SSH server on the way to a host: the host itself, or the jump host in front of it. */
export interface Endpoint {
  role: 'host' | 'jump host';
  user: string;
  host: string;
  port: number;
}

export function describeEndpoint(endpoint: Endpoint): string {
  const address = `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
  return endpoint.role === 'host' ? address : `jump host ${address}`;
}

/** The error of a key that is unknown, changed or revoked. `knownHostsFile` is where to add keys. */
export function hostKeyRefusal(
  hostName: string,
  endpoint: Endpoint,
  verdict: Exclude<HostKeyVerdict, 'match'>,
  keyBlob: Buffer,
  knownHosts: KnownHosts,
  knownHostsFile: string,
): UnreachableError {
  const where = describeEndpoint(endpoint);
  const name = hostString(endpoint.host, endpoint.port);
  const type = keyTypeOf(keyBlob) ?? 'unknown';
  const offered = `${type} key ${sha256Fingerprint(keyBlob)}`;
  const line = knownHostsLine(name, keyBlob);
  const entries = knownHosts.entriesFor(name);
  switch (verdict) {
    case 'unknown': {
      // The server offers no key of a type known_hosts has for it: OpenSSH says so too
      // ("keys of different type are already known for this host").
      const otherTypes = entries.filter((entry) => !entry.revoked).map((entry) => `${entry.keyType} (${entry.source})`);
      const certAuthorities = knownHosts.certAuthoritiesFor(name).map((entry) => entry.source);
      return new UnreachableError(
        hostName,
        `the host key of ${where} is not known: it offers ${offered}` +
          (otherTypes.length ? `, but known_hosts knows it by ${otherTypes.join(', ')}, which it did not offer` : ''),
        (certAuthorities.length
          ? `lvs cannot check host certificates, so the @cert-authority line at ${certAuthorities.join(', ')} does not vouch for it; `
          : '') +
          `check that fingerprint with the host's owner (on the host: ssh-keygen -lf ` +
          `/etc/ssh/ssh_host_${keyFileKind(type)}_key.pub), then add this line to ${knownHostsFile}: ${line} ` +
          `(or turn host key checking off)`,
      );
    }
    case 'mismatch': {
      const previous = entries.filter((entry) => !entry.revoked && entry.keyType === type);
      const expected = previous.map((entry) => `${sha256Fingerprint(entry.key)} (${entry.source})`).join(', ');
      return new UnreachableError(
        hostName,
        `THE HOST KEY OF ${where} HAS CHANGED: it now offers ${offered}, but known_hosts expects ${expected}. ` +
          `Someone may be intercepting the connection (a man-in-the-middle attack), or the host was reinstalled`,
        `if you know why the key changed, remove the old entry (ssh-keygen -R ${quote(name)} -f ` +
          `${quote(previous[0]?.source.replace(/:\d+$/, '') ?? knownHostsFile)}) and add: ${line}`,
      );
    }
    case 'revoked': {
      const revokedAt = entries.find((entry) => entry.revoked && entry.key.equals(keyBlob))?.source ?? 'known_hosts';
      return new UnreachableError(
        hostName,
        `the host key of ${where} (${offered}) is marked @revoked in ${revokedAt}; refusing to connect`,
        'a revoked key must never be trusted again: the host needs a new host key',
      );
    }
  }
}

/** ssh_host_ed25519_key, ssh_host_ecdsa_key, ssh_host_rsa_key */
function keyFileKind(type: string): string {
  if (type.startsWith('ecdsa-')) return 'ecdsa';
  return type.replace(/^ssh-/, '');
}

/**
 * A host without ansible_host is looked up by its inventory name. The shipped inventories
 * leave connection variables out, so that is what happens when the lab's inventory is missing.
 */
function unresolvedNameHint(hostName: string, endpoint: Endpoint): string {
  if (endpoint.role === 'jump host') return 'check the jump host in ansible_ssh_common_args (ProxyJump), and DNS or /etc/hosts';
  if (endpoint.host !== hostName) return 'check ansible_host in the inventory, and DNS or /etc/hosts';
  return (
    `${hostName} has no ansible_host, so lvs looked up its inventory name: give it ansible_host=ADDRESS in the inventory, ` +
    'or in a second inventory added with another -i; for the shipped inventories/lvs-TOPOLOGY, that second inventory is ' +
    `the lab's: -i "$(lvs lab inventory TOPOLOGY)"`
  );
}

/** What ssh2 adds to its errors: which stage failed, and the socket's errno code. */
export type Ssh2Error = Error & { level?: string; code?: string | number };

/** How far a connection got: not even TCP, a TCP connection, or the SSH handshake (keys exchanged, not logged in). */
export type ConnectStage = 'nothing' | 'tcp' | 'handshake';

export function connectFailure(
  hostName: string,
  endpoint: Endpoint,
  error: Ssh2Error,
  context: { timeoutMs: number; reached: ConnectStage; authentication: string },
): UnreachableError {
  const where = describeEndpoint(endpoint);
  const fail = (message: string, hint?: string) => new UnreachableError(hostName, message, hint);
  switch (error.level) {
    case 'client-socket':
      switch (error.code) {
        case 'ECONNREFUSED':
          return fail(`connection refused by ${where}`, `is sshd running there and listening on port ${endpoint.port}?`);
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
        case 'EAI_NONAME':
          return fail(`cannot resolve the host name ${JSON.stringify(endpoint.host)} of ${where}`, unresolvedNameHint(hostName, endpoint));
        case 'EHOSTUNREACH':
        case 'ENETUNREACH':
          return fail(`no route to ${where} (${error.code})`, 'check the address and the network between here and there');
        case 'ECONNRESET':
          return fail(
            `${where} reset the connection during the SSH handshake`,
            'sshd may be refusing this client (MaxStartups, tcp wrappers, fail2ban)',
          );
        default:
          return fail(`cannot connect to ${where}: ${error.message}`);
      }
    case 'client-timeout':
      return fail(...connectTimeout(where, context));
    case 'client-authentication':
      return fail(
        `authentication failed for ${where}: ${context.authentication}`,
        'put the public key into ~/.ssh/authorized_keys of that user on the host, or set ' +
          'ansible_ssh_private_key_file or ansible_password in the inventory',
      );
    case 'protocol':
      return fail(`${where} closed the connection before the SSH handshake`, 'is an SSH server listening on that port?');
    default:
      return fail(`SSH connection to ${where} failed: ${error.message}`);
  }
}

/**
 * The message and hint of a connect timeout. It covers the TCP connect, the SSH handshake
 * and the login, several round trips in all, so a distant host needs a longer one.
 */
function connectTimeout(where: string, context: { timeoutMs: number; reached: ConnectStage }): [string, string] {
  const within = `within ${context.timeoutMs} ms`;
  const raise =
    `raise --connect-timeout (${context.timeoutMs / 1000} s now; it covers the TCP connect, the SSH handshake ` +
    'and the login, several round trips in all)';
  switch (context.reached) {
    case 'nothing':
      return [`no TCP connection to ${where} ${within}`, `the host may be down, or a firewall drops the packets; if it is only far away or slow, ${raise}`];
    case 'tcp':
      return [
        `no SSH handshake with ${where} ${within}`,
        `sshd may be overloaded, or something other than sshd answers there; if the host is only far away or slow, ${raise}`,
      ];
    case 'handshake':
      return [
        `no login to ${where} ${within}: the SSH handshake was done, authentication was not`,
        `sshd may be slow to authenticate (PAM, or UseDNS lookups of this client); if the host is only far away or slow, ${raise}`,
      ];
  }
}
