/** The run settings that the flags of `lvs run` and `lvs task` turn into. */
import { resolve } from 'node:path';
import type { CompileInput } from '../engine/compile/compile';
import { defaultSshOptions, type SshOptions } from '../transport/ssh';
import { InputError, type SourcePosition } from '../errors';
import { parseKeyValueWords, splitWords } from '../engine/kv-args';
import { withPositionMap } from '../engine/variable-positions';
import { loadYamlSource } from '../engine/yaml-source';

export const SSH_DEFAULTS = defaultSshOptions();

const FALSE_WORDS = ['false', 'no', '0', 'off'];

function hostKeyCheckingDefault(): boolean {
  for (const name of ['LVS_HOST_KEY_CHECKING', 'ANSIBLE_HOST_KEY_CHECKING']) {
    const value = process.env[name];
    if (value !== undefined) return !FALSE_WORDS.includes(value.trim().toLowerCase());
  }
  return SSH_DEFAULTS.hostKeyChecking;
}

/** `-e` values, merged left to right like ansible-playbook's, each tied to where it was given. */
export function parseExtraVars(values: string[] = []): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  const positions = new Map<string, SourcePosition>();
  const set = (more: Record<string, unknown>, positionOf: (key: string) => SourcePosition) => {
    Object.assign(vars, more);
    for (const key of Object.keys(more)) positions.set(key, positionOf(key));
  };
  // The value itself is left out: it may be a password.
  const commandLine = { file: '--extra-vars' };
  for (const value of values) {
    if (value.startsWith('@')) {
      const source = loadYamlSource(resolve(value.slice(1)));
      if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
        throw new InputError('extra vars file must hold a map', source.locate([]));
      }
      set(source.data as Record<string, unknown>, (key) => source.locate([key]));
    } else if (/^\s*[{]/.test(value)) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(value);
      } catch (error) {
        throw new InputError(`extra vars are not valid JSON: ${(error as Error).message}`, undefined, '--extra-vars');
      }
      set(parsed, () => commandLine);
    } else {
      set(parseKeyValueWords(splitWords(value), '--extra-vars'), () => commandLine);
    }
  }
  return withPositionMap(vars, positions);
}

type RunFlagValues = {
  limit?: string;
  check: boolean;
  diff: boolean;
  forks: number;
  'extra-vars'?: string[];
  'known-hosts'?: string[];
  'host-key-checking'?: boolean;
  'connect-timeout': number;
  'command-timeout': number;
  'lock-timeout': number;
};

/** What `lvs run` and `lvs task` do, from their flags: how to compile, execute and show the run. */
export interface RunSettings {
  compile: Omit<CompileInput, 'playbook' | 'inventory' | 'registry'>;
  execute: { forks: number; commandTimeoutMs: number; lockTimeoutSeconds: number; ssh: SshOptions };
  diff: boolean;
  /** A live tree on a terminal, plain lines in logs and CI. */
  output: 'tree' | 'plain';
}

/** The folders searched for template files after the playbook's: the project's templates/, then lvs's own. */
export function templateDirs(): string[] {
  return [resolve(process.cwd(), 'templates'), resolve(__dirname, '..', '..', 'templates')];
}

export function runSettings(flags: RunFlagValues, extra: { tags?: string[]; skipTags?: string[]; startAtTask?: string } = {}): RunSettings {
  return {
    compile: {
      extraVars: parseExtraVars(flags['extra-vars']),
      limit: flags.limit,
      tags: extra.tags ?? [],
      skipTags: extra.skipTags ?? [],
      check: flags.check,
      templateDirs: templateDirs(),
      ...(extra.startAtTask === undefined ? {} : { startAtTask: extra.startAtTask }),
    },
    execute: {
      forks: flags.forks,
      commandTimeoutMs: flags['command-timeout'] * 1000,
      lockTimeoutSeconds: flags['lock-timeout'],
      ssh: {
        ...SSH_DEFAULTS,
        hostKeyChecking: flags['host-key-checking'] ?? hostKeyCheckingDefault(),
        knownHostsFiles: [...SSH_DEFAULTS.knownHostsFiles, ...(flags['known-hosts'] ?? []).map((file) => resolve(file))],
        connectTimeoutMs: flags['connect-timeout'] * 1000,
      },
    },
    diff: flags.diff,
    output: process.stdout.isTTY && !process.env.CI ? 'tree' : 'plain',
  };
}
