/** The flags `lvs run` and `lvs task` share, and the run settings they turn into. */
import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import type { RunSettings } from '../engine/executor';
import type { Inventory } from '../engine/inventory';
import { InputError } from '../errors';
import { parseKeyValueWords, splitWords } from '../engine/kv-args';
import { loadYamlSource } from '../engine/yaml-source';
import { Redactor } from '../engine/secrets';
import { defaultSshOptions } from '../transport/ssh';

const SSH_DEFAULTS = defaultSshOptions();

export const runFlags = {
  inventory: Flags.string({ char: 'i', multiple: true, required: true, description: 'Inventory source: a YAML or INI file, a directory, or a comma-separated host list. Repeat to merge several.' }),
  limit: Flags.string({ char: 'l', description: 'Only run on hosts matching this pattern (names, groups, a:b, a:&b, a:!b, globs).' }),
  check: Flags.boolean({ char: 'C', description: 'Read the hosts and report what would change, without changing anything.' }),
  diff: Flags.boolean({ char: 'D', description: 'Show the before and after of every change.' }),
  forks: Flags.integer({ char: 'f', default: 20, min: 1, max: 1000, description: 'How many hosts to work on at the same time.' }),
  'extra-vars': Flags.string({ char: 'e', multiple: true, description: 'Extra variables, highest precedence: key=value words, a YAML/JSON map, or @file.yml.' }),
  json: Flags.boolean({ description: 'Print one JSON document (Ansible json callback shape) instead of the progress tree.' }),
  'known-hosts': Flags.string({ multiple: true, description: 'A known_hosts file to check host keys against, in addition to ~/.ssh/known_hosts.' }),
  'host-key-checking': Flags.boolean({ allowNo: true, description: 'Check host keys against known_hosts (default on; ANSIBLE_HOST_KEY_CHECKING=False or LVS_HOST_KEY_CHECKING=false also turn it off).' }),
  'connect-timeout': Flags.integer({ default: SSH_DEFAULTS.connectTimeoutMs / 1000, min: 1, description: 'Seconds to wait for an SSH connection and login.' }),
  'command-timeout': Flags.integer({ default: 300, min: 1, description: 'Seconds one batch of remote commands may take.' }),
  plugin: Flags.string({ multiple: true, description: 'A plugin package or path that exports task modules (in addition to lvs.config.json).' }),
};

const FALSE_WORDS = ['false', 'no', '0', 'off'];

function hostKeyCheckingDefault(): boolean {
  for (const name of ['LVS_HOST_KEY_CHECKING', 'ANSIBLE_HOST_KEY_CHECKING']) {
    const value = process.env[name];
    if (value !== undefined) return !FALSE_WORDS.includes(value.trim().toLowerCase());
  }
  return SSH_DEFAULTS.hostKeyChecking;
}

/** `-e` values, merged left to right like ansible-playbook's. */
export function parseExtraVars(values: string[] = []): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const value of values) {
    if (value.startsWith('@')) {
      const source = loadYamlSource(resolve(value.slice(1)));
      if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
        throw new InputError('extra vars file must hold a map', source.locate([]));
      }
      Object.assign(vars, source.data);
    } else if (/^\s*[{]/.test(value)) {
      try {
        Object.assign(vars, JSON.parse(value));
      } catch (error) {
        throw new InputError(`extra vars are not valid JSON: ${(error as Error).message}`, undefined, '--extra-vars');
      }
    } else {
      Object.assign(vars, parseKeyValueWords(splitWords(value), '--extra-vars'));
    }
  }
  return vars;
}

type RunFlagValues = {
  limit?: string;
  check: boolean;
  diff: boolean;
  forks: number;
  'extra-vars'?: string[];
  json: boolean;
  'known-hosts'?: string[];
  'host-key-checking'?: boolean;
  'connect-timeout': number;
  'command-timeout': number;
};

export function runSettings(flags: RunFlagValues, inventory: Inventory, extra: { tags?: string[]; skipTags?: string[] } = {}): RunSettings {
  const extraVars = parseExtraVars(flags['extra-vars']);
  const interactive = process.stdout.isTTY && !process.env.CI;
  return {
    check: flags.check,
    diff: flags.diff,
    forks: flags.forks,
    tags: extra.tags ?? [],
    skipTags: extra.skipTags ?? [],
    limit: flags.limit,
    extraVars,
    ssh: {
      ...SSH_DEFAULTS,
      hostKeyChecking: flags['host-key-checking'] ?? hostKeyCheckingDefault(),
      knownHostsFiles: [...SSH_DEFAULTS.knownHostsFiles, ...(flags['known-hosts'] ?? []).map((file) => resolve(file))],
      connectTimeoutMs: flags['connect-timeout'] * 1000,
    },
    commandTimeoutMs: flags['command-timeout'] * 1000,
    output: flags.json ? 'silent' : interactive ? 'tree' : 'plain',
    templateDirs: [resolve(process.cwd(), 'templates'), resolve(__dirname, '..', '..', 'templates')],
    redactor: new Redactor(inventory, extraVars),
  };
}
