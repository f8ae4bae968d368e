/**
 * Which credentials to offer a host, in OpenSSH's order: the configured key file, else the
 * agent's keys and the default key files; then a password if one is configured.
 */
import { readFile } from 'fs/promises';
import { join } from 'path';
import { utils, type AnyAuthMethod, type AuthHandlerMiddleware, type ParsedKey } from 'ssh2';
import { UnreachableError } from '../errors';

/** One way to log in, with how to describe it when every way failed. */
export type Credential =
  | { kind: 'key'; label: string; key: ParsedKey }
  | { kind: 'agent'; label: string; socket: string }
  | { kind: 'password'; label: string; password: string };

export interface CredentialSources {
  privateKeyFile?: string;
  password?: string;
  /** SSH_AUTH_SOCK of the lvs process. */
  agentSocket?: string;
  /** The home directory holding .ssh/id_*. */
  home: string;
}

const DEFAULT_KEY_FILES = ['.ssh/id_ed25519', '.ssh/id_ecdsa', '.ssh/id_rsa'];

/**
 * The credentials to try, in order. A configured key file that cannot be used is an error
 * (the user asked for it); a default key file that cannot be used is skipped and noted.
 */
export async function gatherCredentials(
  host: string,
  sources: CredentialSources,
): Promise<{ credentials: Credential[]; notes: string[] }> {
  const credentials: Credential[] = [];
  const notes: string[] = [];
  if (sources.privateKeyFile !== undefined) {
    const loaded = (await loadPrivateKey(sources.privateKeyFile)) ?? 'the file does not exist';
    if (typeof loaded === 'string') {
      throw new UnreachableError(host, `cannot use the private key ${sources.privateKeyFile}: ${loaded}`, KEY_HINT);
    }
    credentials.push({ kind: 'key', label: `publickey (${sources.privateKeyFile})`, key: loaded });
  } else {
    if (sources.agentSocket) {
      credentials.push({ kind: 'agent', label: `agent (${sources.agentSocket})`, socket: sources.agentSocket });
    }
    for (const relative of DEFAULT_KEY_FILES) {
      const file = join(sources.home, relative);
      const loaded = await loadPrivateKey(file);
      if (loaded === undefined) continue;
      if (typeof loaded === 'string') notes.push(`skipped ${file}: ${loaded}`);
      else credentials.push({ kind: 'key', label: `publickey (${file})`, key: loaded });
    }
  }
  if (sources.password !== undefined) {
    credentials.push({ kind: 'password', label: 'password', password: sources.password });
  }
  return { credentials, notes };
}

const KEY_HINT =
  'give an unencrypted private key in OpenSSH or PEM format; for a key with a passphrase, ' +
  'load it into ssh-agent (ssh-add FILE) and leave ansible_ssh_private_key_file unset';

/** The parsed key; a reason string if it cannot be used; undefined if the file does not exist. */
async function loadPrivateKey(file: string): Promise<ParsedKey | string | undefined> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : `cannot read it (${code ?? (error as Error).message})`;
  }
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) {
    return /passphrase|encrypted/i.test(parsed.message)
      ? 'it is encrypted, and lvs does not ask for passphrases'
      : `not a private key lvs can read (${parsed.message})`;
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.isPrivateKey() ? key : 'it holds a public key, not a private one';
}

/** Which SSH userauth method name the server must allow for a credential. */
const METHOD_NAME = { key: 'publickey', agent: 'publickey', password: 'password' } as const;

/**
 * An ssh2 authHandler that offers the credentials in order, skipping those whose method the
 * server has said it does not accept, and records what it tried for the error message.
 */
export class CredentialSequence {
  readonly tried: string[] = [];
  /** The methods the server named in its last USERAUTH_FAILURE. */
  serverAccepts: string[] | undefined;
  private next = 0;
  /** True once every credential was refused: the failure that follows is an auth failure. */
  exhausted = false;

  constructor(
    private readonly credentials: readonly Credential[],
    private readonly username: string,
  ) {}

  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partialSuccess, callback) => {
    // ssh2 passes null before the first attempt, although its types say otherwise.
    if (methodsLeft) this.serverAccepts = methodsLeft;
    while (this.next < this.credentials.length) {
      const credential = this.credentials[this.next++];
      if (methodsLeft && !methodsLeft.includes(METHOD_NAME[credential.kind])) continue;
      this.tried.push(credential.label);
      callback(this.toAuthMethod(credential));
      return;
    }
    this.exhausted = true;
    // ssh2 takes `false` as "no more methods"; its type declarations leave it out.
    callback(false as unknown as AnyAuthMethod);
  };

  private toAuthMethod(credential: Credential): AnyAuthMethod {
    const username = this.username;
    switch (credential.kind) {
      case 'key':
        return { type: 'publickey', username, key: credential.key };
      case 'agent':
        return { type: 'agent', username, agent: credential.socket };
      case 'password':
        return { type: 'password', username, password: credential.password };
    }
  }

  /** "tried publickey (/root/.ssh/id_ed25519), password; the server accepts publickey" */
  describe(): string {
    const tried = this.tried.length ? `tried ${this.tried.join(', ')}` : 'had no credentials to offer';
    const accepts = this.serverAccepts ? `; the server accepts ${this.serverAccepts.join(', ') || 'nothing'}` : '';
    return `${tried}${accepts}`;
  }
}
