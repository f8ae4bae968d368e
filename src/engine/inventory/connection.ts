/**
 * How to reach a host, from its `ansible_*` connection variables. The `ansible_ssh_*` names
 * are aliases; when several names of one setting are set, the last in Ansible's list wins
 * (`ansible_ssh_host` over `ansible_host`), as Ansible's config manager does. A jump host comes
 * from `-o ProxyJump=[user@]host[:port]` or `-J [user@]host[:port]` in
 * `ansible_ssh_common_args` or `ansible_ssh_extra_args` (extra args win, like a later ssh
 * option). Like OpenSSH, a jump host whose user is not given logs in as the local user, not
 * as the target's `ansible_user`.
 */
import { homedir } from 'node:os';
import { InputError, type SourcePosition } from '../../errors';
import { parseAddress } from './address';
import { ShellSyntaxError, splitShellWords } from '../shell-words';
import { positionIn } from '../variable-positions';

export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  password?: string;
  become: boolean;
  becomeUser: string;
  becomePassword?: string;
  jump?: { host: string; port: number; user: string };
  /** From `-o UserKnownHostsFile=FILE ...` in the ssh args: checked besides the run's files. */
  knownHostsFiles?: string[];
  /** From `-o StrictHostKeyChecking=no` in the ssh args: host key checking off for this host. */
  hostKeyChecking?: boolean;
  /** Ansible's ansible_connection: 'local' runs on the controller, without SSH. */
  connection?: 'ssh' | 'local';
}

/** Says where a connection variable was set, so that its error can name the file and line. */
type WhereSet = (key: string) => SourcePosition | undefined;

/**
 * `layers` are the records merged into `vars`, lowest precedence first (inventory, play, extra
 * vars): an error about a variable names where the winning record set it.
 */
export function connectionTarget(hostName: string, vars: Record<string, unknown>, layers: readonly object[] = []): ConnectionTarget {
  const where: WhereSet = (key) => positionIn(layers, key);
  const read = (...names: string[]) => {
    const name = names.findLast((candidate) => vars[candidate] !== undefined && vars[candidate] !== null);
    return name === undefined ? undefined : { name, value: vars[name] };
  };
  const text = (...names: string[]) => {
    const found = read(...names);
    return found === undefined ? undefined : String(found.value);
  };
  const port = read('ansible_port', 'ansible_ssh_port');
  const keyFile = text('ansible_private_key_file', 'ansible_ssh_private_key_file');
  const become = read('ansible_become');
  return {
    host: text('ansible_host', 'ansible_ssh_host') ?? hostName,
    port: port ? portNumber(port.value, port.name, hostName, where(port.name)) : 22,
    user: text('ansible_user', 'ansible_ssh_user') ?? localUser(),
    ...optional('privateKeyFile', keyFile?.replace(/^~(?=\/|$)/, homedir())),
    ...optional('password', text('ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password')),
    become: become ? ansibleBoolean(become.value, become.name, hostName, where(become.name)) : false,
    becomeUser: becomeUserOf(text('ansible_become_user'), hostName, where('ansible_become_user')),
    ...optional('becomePassword', text('ansible_become_password', 'ansible_become_pass')),
    ...sshArgsSettings(hostName, vars, where),
  };
}

/** A user name sudo's -u takes as a name, never as an option: what the playbook's become_user allows. */
function becomeUserOf(value: string | undefined, hostName: string, position?: SourcePosition): string {
  if (value === undefined) return 'root';
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(value)) {
    throw new InputError(`${JSON.stringify(value)} is not a user name`, position, `${hostName}: ansible_become_user`, 'a user name starts with a letter or _ and holds letters, digits, _, . and -');
  }
  return value;
}

/** Ansible's boolean(): true/yes/on/y/t/1 and false/no/off/n/f/0, any case; anything else is an error. */
export function ansibleBoolean(value: unknown, key: string, hostName: string, position?: SourcePosition): boolean {
  if (typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (['true', 'yes', 'on', 'y', 't', '1', '1.0'].includes(word)) return true;
  if (['false', 'no', 'off', 'n', 'f', '0', '0.0'].includes(word)) return false;
  throw new InputError(`${JSON.stringify(value)} is not a boolean`, position, `${hostName}: ${key}`, 'use true or false');
}

function localUser(): string {
  return process.env.USER || 'root';
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function portNumber(value: unknown, key: string, hostName: string, position: SourcePosition | undefined): number {
  const port = typeof value === 'number' ? value : /^\s*[0-9]+\s*$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`${JSON.stringify(value)} is not a TCP port`, position, `${hostName}: ${key}`, 'use a number from 1 to 65535');
  }
  return port;
}

/** ssh(1) options that take a value, so that the value is not read as an option of its own. */
const SSH_OPTIONS_WITH_VALUE = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/** What lvs honours of the ssh arguments Ansible users write in ansible_ssh_common_args. */
function sshArgsSettings(hostName: string, vars: Record<string, unknown>, where: WhereSet): Pick<ConnectionTarget, 'jump' | 'knownHostsFiles' | 'hostKeyChecking'> {
  let jump: { spec: string; key: string } | undefined;
  const settings: Pick<ConnectionTarget, 'jump' | 'knownHostsFiles' | 'hostKeyChecking'> = {};
  for (const key of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const args = vars[key];
    if (args === undefined || args === null || args === '') continue;
    for (const [option, value] of sshOptions(String(args), key, hostName, where(key))) {
      if (option === 'J' || /^proxyjump$/i.test(option)) jump = { spec: value, key };
      if (/^userknownhostsfile$/i.test(option)) settings.knownHostsFiles = value.split(/\s+/).map((file) => file.replace(/^~(?=\/|$)/, homedir()));
      if (/^stricthostkeychecking$/i.test(option)) settings.hostKeyChecking = !/^(no|off)$/i.test(value);
      if (/^proxycommand$/i.test(option) && !/^none$/i.test(value)) {
        throw new InputError('ProxyCommand is not supported', where(key), `${hostName}: ${key}`, 'use -o ProxyJump=user@host:port or -J user@host:port');
      }
    }
  }
  if (jump !== undefined && !/^none$/i.test(jump.spec)) settings.jump = parseJump(jump.spec, hostName, where(jump.key));
  return settings;
}

/** The `-o Key=Value`, `-o 'Key Value'`, `-oKey=Value` and `-J host` options of an ssh argument string. */
function sshOptions(args: string, key: string, hostName: string, position: SourcePosition | undefined): Array<[string, string]> {
  let words: string[];
  try {
    words = splitShellWords(args, { comments: false }).map((word) => word.text);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    throw new InputError(`cannot split the ssh arguments: ${error.message}`, position, `${hostName}: ${key}`);
  }
  const options: Array<[string, string]> = [];
  for (let index = 0; index < words.length; index += 1) {
    const flag = /^-([A-Za-z])(.*)$/.exec(words[index]);
    if (!flag || !SSH_OPTIONS_WITH_VALUE.has(flag[1])) continue;
    const value = flag[2] || words[++index];
    if (value === undefined) throw new InputError(`ssh option -${flag[1]} needs a value`, position, `${hostName}: ${key}`);
    if (flag[1] === 'J') options.push(['J', value]);
    if (flag[1] === 'o') {
      const setting = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(value);
      if (setting) options.push([setting[1], setting[2]]);
    }
  }
  return options;
}

function parseJump(spec: string, hostName: string, position: SourcePosition | undefined): NonNullable<ConnectionTarget['jump']> {
  const fail = (why: string) =>
    new InputError(`cannot use the jump host '${spec}': ${why}`, position, `${hostName}: ProxyJump`, 'write [user@]host[:port]');
  if (spec.includes(',')) throw fail('only one jump host is supported');
  const withoutScheme = spec.replace(/^ssh:\/\//, '');
  const at = withoutScheme.lastIndexOf('@');
  const user = at < 0 ? localUser() : withoutScheme.slice(0, at);
  const address = parseAddress(withoutScheme.slice(at + 1), false);
  if (!address || !user) throw fail('not a [user@]host[:port]');
  return { host: address.host, port: address.port ?? 22, user };
}
