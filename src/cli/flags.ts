/** Flags that several commands take, declared once. */
import { Flags } from '@oclif/core';
import { SSH_DEFAULTS } from './run-options';

export const inventoryFlag = Flags.string({
  char: 'i',
  multiple: true,
  // One value per -i, as in Ansible: `-i FILE --graph GROUP` or `-i FILE PLAYBOOK` must not read the word after as a source.
  multipleNonGreedy: true,
  required: true,
  description: 'Inventory source: a YAML or INI file, a directory, or a comma-separated host list. Repeat to merge several; later ones win.',
});

export const limitFlag = Flags.string({ char: 'l', description: 'Only use hosts matching this pattern (names, groups, a:b, a:&b, a:!b, globs).' });

export const extraVarsFlag = Flags.string({ char: 'e', multiple: true, description: 'Extra variables, highest precedence: key=value words, a YAML/JSON map, or @file.yml.' });

export const pluginFlag = Flags.string({ multiple: true, description: 'A plugin package or path that exports task modules (in addition to lvs.config.json and package.json lvs.plugins).' });

/** What `lvs run` and `lvs task` take beyond the inventory: how to connect, what to show. */
export const runFlags = {
  inventory: inventoryFlag,
  limit: limitFlag,
  check: Flags.boolean({ char: 'C', description: 'Read the hosts and report what would change, without changing anything.' }),
  diff: Flags.boolean({ char: 'D', description: 'Show the before and after of every change.' }),
  forks: Flags.integer({ char: 'f', default: 20, min: 1, max: 1000, description: 'How many hosts to work on at the same time.' }),
  'extra-vars': extraVarsFlag,
  'known-hosts': Flags.string({
    multiple: true,
    description:
      'A known_hosts file to check host keys against, in addition to ~/.ssh/known_hosts; repeat for more. A file that does not exist counts as empty; a directory or a file that cannot be read is an error.',
  }),
  'host-key-checking': Flags.boolean({ allowNo: true, description: 'Check host keys against known_hosts (default on; ANSIBLE_HOST_KEY_CHECKING=False or LVS_HOST_KEY_CHECKING=false also turn it off).' }),
  'connect-timeout': Flags.integer({
    default: SSH_DEFAULTS.connectTimeoutMs / 1000,
    min: 1,
    description:
      'Seconds to wait for each SSH connection to be ready: the TCP connect, the SSH handshake and the login, about 6 round trips with one key (one more for each key the host refuses). The default of 10 is too short beyond about 0.8 s of latency each way; give 30 for 2 s each way.',
  }),
  'lock-timeout': Flags.integer({
    default: 300,
    min: 0,
    description: 'Seconds to wait for another lvs run to finish on a host before that host fails: runs take turns on each host (0: do not wait).',
  }),
  'command-timeout': Flags.integer({ default: 300, min: 1, description: 'Seconds one batch of remote commands may take.' }),
  plugin: pluginFlag,
};
