/**
 * OpenSSH known_hosts files: which host keys a host is known by. The format is described in
 * sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT". Parsing and matching are pure; known-hosts-reader.ts
 * reads the files.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';
import { utils } from 'ssh2';

/**
 * `match`: a known key of this host. `mismatch`: the host is known with a different key of
 * the same type (the key changed, or someone is in the middle). `unknown`: no key of this
 * type is known for the host. `revoked`: the key is marked `@revoked` and must never be used.
 */
export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown' | 'revoked';

export interface KnownHostEntry {
  /** `file:line`, for messages such as "offending key in ~/.ssh/known_hosts:3". */
  source: string;
  revoked: boolean;
  /** The host field as written: a pattern list or one hashed name. */
  hosts: string;
  /** The key's type as its blob names it: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  keyType: string;
  /** The public key in SSH wire format, as the server sends it during key exchange. */
  key: Buffer;
}

/** The name OpenSSH looks up for a host: `host` on port 22, `[host]:port` elsewhere. */
export function hostString(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** `SHA256:` and the unpadded base64 SHA-256 of the key blob, as `ssh-keygen -l` prints it. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of a key blob (an SSH `string`), or undefined if malformed. */
export function keyTypeOf(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || 4 + length > keyBlob.length) return undefined;
  const type = keyBlob.subarray(4, 4 + length).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/** The line that makes `hostString` known with this key. */
export function knownHostsLine(host: string, keyBlob: Buffer): string {
  return `${host} ${keyTypeOf(keyBlob) ?? 'unknown'} ${keyBlob.toString('base64')}`;
}

/** A `@cert-authority` line: lvs cannot check host certificates (ssh2 has no support for them). */
export interface CertAuthorityEntry {
  source: string;
  hosts: string;
}

/** The host keys of one or more known_hosts files, and what could not be used from them. */
export class KnownHosts {
  constructor(
    readonly entries: readonly KnownHostEntry[],
    /** Lines that were skipped, with the reason: `file:line: ...`. */
    readonly warnings: readonly string[],
    readonly certAuthorities: readonly CertAuthorityEntry[] = [],
  ) {}

  /** Several files as one, in the order given. */
  static concat(files: readonly KnownHosts[]): KnownHosts {
    return new KnownHosts(
      files.flatMap((file) => file.entries),
      files.flatMap((file) => file.warnings),
      files.flatMap((file) => file.certAuthorities),
    );
  }

  static parse(text: string, file: string): KnownHosts {
    const entries: KnownHostEntry[] = [];
    const warnings: string[] = [];
    const certAuthorities: CertAuthorityEntry[] = [];
    text.split('\n').forEach((rawLine, index) => {
      const source = `${file}:${index + 1}`;
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      let revoked = false;
      if (fields[0].startsWith('@')) {
        const marker = fields.shift();
        if (marker === '@cert-authority') {
          certAuthorities.push({ source, hosts: fields[0] ?? '' });
          warnings.push(
            `${source}: @cert-authority lines are not supported by lvs (it cannot check host certificates), line ignored; ` +
              `a host it covers needs its own key in known_hosts`,
          );
          return;
        }
        if (marker !== '@revoked') {
          warnings.push(`${source}: unknown marker ${marker}, line ignored`);
          return;
        }
        revoked = true;
      }
      const [hosts, declaredType, base64Key] = fields;
      if (base64Key === undefined) {
        warnings.push(`${source}: expected "hosts key-type base64-key", line ignored`);
        return;
      }
      const parsed = utils.parseKey(`${declaredType} ${base64Key}`);
      if (parsed instanceof Error) {
        warnings.push(`${source}: cannot use this ${declaredType} key (${parsed.message}), line ignored`);
        return;
      }
      entries.push({ source, revoked, hosts, keyType: parsed.type, key: parsed.getPublicSSH() });
    });
    return new KnownHosts(entries, warnings, certAuthorities);
  }

  /** How `keyBlob`, offered by the host named `host` (see hostString), compares with the files. */
  lookup(host: string, keyBlob: Buffer): HostKeyVerdict {
    const entries = this.entriesFor(host);
    if (entries.some((entry) => entry.revoked && entry.key.equals(keyBlob))) return 'revoked';
    const known = entries.filter((entry) => !entry.revoked);
    if (known.some((entry) => entry.key.equals(keyBlob))) return 'match';
    const type = keyTypeOf(keyBlob);
    return known.some((entry) => entry.keyType === type) ? 'mismatch' : 'unknown';
  }

  /** The entries whose host field matches, revoked ones included, in file order. */
  entriesFor(host: string): KnownHostEntry[] {
    return this.entries.filter((entry) => hostMatches(entry.hosts, host));
  }

  /** The key types the host is known by (revoked keys do not count), in file order. */
  keyTypesFor(host: string): string[] {
    return [...new Set(this.entriesFor(host).filter((entry) => !entry.revoked).map((entry) => entry.keyType))];
  }

  /** The ignored `@cert-authority` lines that cover the host. */
  certAuthoritiesFor(host: string): CertAuthorityEntry[] {
    return this.certAuthorities.filter((entry) => hostMatches(entry.hosts, host));
  }
}

/**
 * Whether a host field matches: a hashed name `|1|salt|hmac` (HMAC-SHA1 of the name keyed
 * with the salt), or a comma list of patterns where any negated match (`!pattern`) vetoes
 * the line. Names compare case-insensitively, as OpenSSH lowercases them.
 */
function hostMatches(hosts: string, host: string): boolean {
  const name = host.toLowerCase();
  if (hosts.startsWith('|1|')) return hashedNameMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.toLowerCase().split(',')) {
    const negated = pattern.startsWith('!');
    if (!wildcardMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedNameMatches(hashed: string, name: string): boolean {
  const [, , salt, hash] = hashed.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `*` stands for any run of characters, `?` for exactly one (OpenSSH's match_pattern). */
function wildcardMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(name);
}
