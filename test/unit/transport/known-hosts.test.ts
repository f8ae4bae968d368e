import { readFileSync } from 'fs';
import { join } from 'path';
import { KnownHosts, hostString, keyTypeOf, knownHostsLine, sha256Fingerprint } from '../../../src/transport/known-hosts';

const fixtures = join(__dirname, '../fixtures/known-hosts');
const fixture = (name: string) => join(fixtures, name);

/** The wire-format blob of a fixture key, as a server would send it. */
function keyBlob(name: string): Buffer {
  return Buffer.from(readFileSync(fixture(`${name}.pub`), 'utf8').split(' ')[1], 'base64');
}

describe('sha256Fingerprint', () => {
  // fingerprints.txt is `ssh-keygen -lf` of every fixture key: "bits SHA256:... comment (TYPE)"
  const lines = readFileSync(fixture('fingerprints.txt'), 'utf8').trim().split('\n');
  it.each(lines.map((line) => line.split(' ')))('matches ssh-keygen for %s-bit %s %s', (_bits, fingerprint, name) => {
    expect(sha256Fingerprint(keyBlob(name))).toBe(fingerprint);
  });
});

describe('keyTypeOf', () => {
  it('reads the type named in the blob', () => {
    expect(keyTypeOf(keyBlob('web1-ed25519'))).toBe('ssh-ed25519');
    expect(keyTypeOf(keyBlob('web1-ecdsa'))).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOf(keyBlob('web1-rsa'))).toBe('ssh-rsa');
  });
  it('rejects blobs too short for their length prefix', () => {
    expect(keyTypeOf(Buffer.from([0, 0, 0, 20, 0x73, 0x73]))).toBeUndefined();
    expect(keyTypeOf(Buffer.alloc(2))).toBeUndefined();
  });
});

describe('hostString', () => {
  it('is the bare lowercase name on port 22 and [name]:port elsewhere', () => {
    expect(hostString('Web1.Example', 22)).toBe('web1.example');
    expect(hostString('web1.example', 2222)).toBe('[web1.example]:2222');
    expect(hostString('::1', 2222)).toBe('[::1]:2222');
  });
});

describe('knownHostsLine', () => {
  it('is a line the parser reads back as a match', () => {
    const line = knownHostsLine('[127.0.0.1]:2022', keyBlob('web1-ed25519'));
    expect(line).toBe(`[127.0.0.1]:2022 ${readFileSync(fixture('web1-ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`);
    expect(KnownHosts.parse(line, 'x').lookup('[127.0.0.1]:2022', keyBlob('web1-ed25519'))).toBe('match');
  });
});

describe('KnownHosts, plain entries', () => {
  const knownHosts = KnownHosts.parse(readFileSync(fixture('known_hosts'), 'utf8'), 'known_hosts');

  it('matches every name of a comma list', () => {
    expect(knownHosts.lookup('web1.example', keyBlob('web1-ed25519'))).toBe('match');
    expect(knownHosts.lookup('192.0.2.11', keyBlob('web1-ed25519'))).toBe('match');
  });

  it('compares names case-insensitively', () => {
    expect(knownHosts.lookup('web1.example', keyBlob('web1-ecdsa'))).toBe('match');
    expect(knownHosts.lookup('WEB1.EXAMPLE', keyBlob('web1-ecdsa'))).toBe('match');
  });

  it('reports a different key of a known type as a mismatch', () => {
    expect(knownHosts.lookup('web1.example', keyBlob('other-ed25519'))).toBe('mismatch');
  });

  it('reports a key type the host is not known by as unknown', () => {
    expect(knownHosts.lookup('192.0.2.11', keyBlob('web1-rsa'))).toBe('unknown');
    expect(knownHosts.lookup('web2.example', keyBlob('web1-ed25519'))).toBe('unknown');
  });

  it('keeps ports apart: [host]:port entries are not the host on port 22', () => {
    expect(knownHosts.lookup('[web1.example]:2222', keyBlob('web1-rsa'))).toBe('match');
    expect(knownHosts.lookup('web1.example', keyBlob('web1-rsa'))).toBe('unknown');
    expect(knownHosts.lookup('[web1.example]:2222', keyBlob('web1-ed25519'))).toBe('unknown');
  });

  it('expands * and ? wildcards, and a negated pattern vetoes its line', () => {
    expect(knownHosts.lookup('rs1.lab.example', keyBlob('other-ed25519'))).toBe('match');
    expect(knownHosts.lookup('db.lab.example', keyBlob('other-ed25519'))).toBe('unknown');
    expect(knownHosts.lookup('rs1.dr.example', keyBlob('other-ed25519'))).toBe('match');
    expect(knownHosts.lookup('rs10.dr.example', keyBlob('other-ed25519'))).toBe('unknown');
    expect(knownHosts.lookup('[director.lab.example]:2200', keyBlob('web1-ecdsa'))).toBe('match');
    expect(knownHosts.lookup('[director.lab.example]:2201', keyBlob('web1-ecdsa'))).toBe('unknown');
  });

  it('treats pattern characters other than * and ? literally', () => {
    const dots = KnownHosts.parse(`a.b ${readFileSync(fixture('web1-ed25519.pub'), 'utf8')}`, 'x');
    expect(dots.lookup('a.b', keyBlob('web1-ed25519'))).toBe('match');
    expect(dots.lookup('axb', keyBlob('web1-ed25519'))).toBe('unknown');
  });

  it('refuses a @revoked key for every host its pattern covers', () => {
    expect(knownHosts.lookup('web1.example', keyBlob('revoked-ed25519'))).toBe('revoked');
    expect(knownHosts.lookup('[anything]:2022', keyBlob('revoked-ed25519'))).toBe('revoked');
  });

  const certAuthorityWarning =
    'known_hosts:11: @cert-authority lines are not supported by lvs (it cannot check host certificates), line ignored; ' +
    'a host it covers needs its own key in known_hosts';

  it('ignores @cert-authority lines and says so, keeping where they are for the refusal', () => {
    expect(knownHosts.lookup('web1.example', keyBlob('ca-ed25519'))).toBe('mismatch');
    expect(knownHosts.warnings).toContain(certAuthorityWarning);
    expect(knownHosts.certAuthoritiesFor('web2.example')).toEqual([{ source: 'known_hosts:11', hosts: '*.example' }]);
    expect(knownHosts.certAuthoritiesFor('web2.example.org')).toEqual([]);
  });

  it('skips incomplete and malformed lines with a warning naming the line', () => {
    expect(knownHosts.warnings).toEqual([
      certAuthorityWarning,
      'known_hosts:12: expected "hosts key-type base64-key", line ignored',
      'known_hosts:13: cannot use this ssh-ed25519 key (Malformed OpenSSH public key), line ignored',
    ]);
    expect(knownHosts.lookup('broken.example', keyBlob('web1-ed25519'))).toBe('unknown');
  });

  it('lists the entries of a host with their file and line', () => {
    expect(knownHosts.entriesFor('web1.example').map((entry) => [entry.source, entry.keyType, entry.revoked])).toEqual([
      ['known_hosts:3', 'ssh-ed25519', false],
      ['known_hosts:4', 'ecdsa-sha2-nistp256', false],
      ['known_hosts:10', 'ssh-ed25519', true],
    ]);
  });
});

describe('KnownHosts, entries hashed by ssh-keygen -H', () => {
  const knownHosts = KnownHosts.parse(readFileSync(fixture('known_hosts.hashed'), 'utf8'), 'known_hosts.hashed');

  it('finds each name that was hashed, including [host]:port', () => {
    expect(knownHosts.lookup('web1.example', keyBlob('web1-ed25519'))).toBe('match');
    expect(knownHosts.lookup('192.0.2.11', keyBlob('web1-ed25519'))).toBe('match');
    expect(knownHosts.lookup('web1.example', keyBlob('web1-ecdsa'))).toBe('match');
    expect(knownHosts.lookup('[web1.example]:2222', keyBlob('web1-rsa'))).toBe('match');
  });

  it('detects a changed key behind a hashed name', () => {
    expect(knownHosts.lookup('web1.example', keyBlob('other-ed25519'))).toBe('mismatch');
  });

  it('does not match names that were not hashed', () => {
    expect(knownHosts.lookup('web2.example', keyBlob('web1-ed25519'))).toBe('unknown');
    expect(knownHosts.lookup('web1.example', keyBlob('web1-rsa'))).toBe('unknown');
  });
});

describe('KnownHosts.keyTypesFor', () => {
  const knownHosts = KnownHosts.parse(readFileSync(fixture('known_hosts'), 'utf8'), 'known_hosts');

  it('lists each type a host is known by once, in file order, leaving out revoked keys', () => {
    // web1.example: ed25519 (line 3), ecdsa (line 4), and the @revoked ed25519 of line 10.
    expect(knownHosts.keyTypesFor('web1.example')).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
    expect(knownHosts.keyTypesFor('[web1.example]:2222')).toEqual(['ssh-rsa']);
    expect(knownHosts.keyTypesFor('[elsewhere]:2022')).toEqual([]);
  });
});

describe('KnownHosts.concat', () => {
  it('keeps the files in order, with their warnings and @cert-authority lines', () => {
    const hashed = KnownHosts.parse(readFileSync(fixture('known_hosts.hashed'), 'utf8'), 'a');
    const plain = KnownHosts.parse(readFileSync(fixture('known_hosts'), 'utf8'), 'b');
    const both = KnownHosts.concat([hashed, plain]);
    expect(both.entries).toHaveLength(4 + 7);
    expect(both.entriesFor('web1.example')[0].source).toBe('a:1');
    expect(both.warnings).toHaveLength(3);
    expect(both.certAuthorities.map((entry) => entry.source)).toEqual(['b:11']);
  });
});
