/**
 * Ansible's command module: a program and its arguments, run without a shell, so nothing
 * in them is shell syntax (`|`, `>`, `$HOME`, `*` are plain characters; the shell task is
 * for those). A string is split into words as Ansible splits it (shlex: quotes group, a
 * backslash escapes), and every word reaches the host quoted.
 */
import { defineTask } from '../api';
import { argvCommand } from '../changes/user-command';
import { ShellSyntaxError, splitShellWords } from '../shell/words';
import { commandOptionSchemas, FREE_FORM_OPTIONS, guardFacts, userCommandPlan, type CommandOptions, type GuardFacts } from './user-command';

interface CommandArgs extends CommandOptions {
  cmd?: string;
  argv?: string[];
}

/** The command's words, or the reason they cannot be read; the value is not repeated (it may hold a secret). */
function words(cmd: string): string[] | string {
  try {
    return splitShellWords(cmd, { comments: false }).map((word) => word.text);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    return `cannot split into words at column ${error.column}: ${error.message}`;
  }
}

function argvOf(args: CommandArgs): string[] {
  const argv = args.argv ?? words(args.cmd ?? '');
  if (typeof argv === 'string') throw new Error(`cmd: ${argv}`);
  return argv;
}

export default defineTask<CommandArgs, GuardFacts>({
  name: 'command',
  description: 'Runs a program with its arguments, never through a shell; changed unless creates/removes says not to run it.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: {
        type: 'string',
        description:
          'The program and its arguments as one line, split into words as Ansible does (the free form `command: touch /x` sets it). No shell reads it: |, >, * and $VAR are plain characters (Ansible would expand $VAR and ~; use shell for that).',
      },
      argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'The program and its arguments as a list, each item one word as it is.' },
      ...commandOptionSchemas,
    },
  },
  example: { cmd: 'ipvsadm --save -n', creates: '/etc/ipvsadm.rules', stdin_add_newline: true },
  freeForm: { argument: 'cmd', options: FREE_FORM_OPTIONS },
  validate(args) {
    if ((args.cmd === undefined) === (args.argv === undefined)) return ['cmd: give exactly one of cmd (or the free form) and argv'];
    if (args.cmd === undefined) return [];
    const split = words(args.cmd);
    if (typeof split === 'string') return [`cmd: ${split}`];
    return split.length ? [] : ['cmd: names no program'];
  },
  facts: (args) => guardFacts(args),
  plan(args, facts) {
    const argv = argvOf(args);
    return userCommandPlan(args, facts, argvCommand(argv), argv);
  },
});
