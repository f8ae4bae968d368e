/**
 * Ansible's shell module: a script run by a shell (`/bin/sh -c`, or `executable`). This is
 * the one task where the user's text is shell syntax, by the user's choice; it still
 * reaches the host as one quoted word, so lvs adds nothing to it.
 */
import { defineTask } from '../api';
import { shellScriptCommand } from '../changes/user-command';
import { commandOptionSchemas, FREE_FORM_OPTIONS, guardFacts, userCommandPlan, type CommandOptions, type GuardFacts } from './user-command';

interface ShellArgs extends CommandOptions {
  cmd: string;
  executable: string;
}

export default defineTask<ShellArgs, GuardFacts>({
  name: 'shell',
  description: 'Runs a shell script (pipes, redirections, $VARS, globs); changed unless creates/removes says not to run it.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['cmd'],
    properties: {
      cmd: { type: 'string', minLength: 1, description: 'The script, as the shell reads it (the free form `shell: ls | wc -l` sets it).' },
      executable: { type: 'string', pattern: '^/[^\\n]*$', default: '/bin/sh', description: 'The shell that runs it with -c, an absolute path (/bin/bash).' },
      ...commandOptionSchemas,
    },
  },
  example: { cmd: 'ipvsadm -L -n | grep -c Route', executable: '/bin/sh', stdin_add_newline: true },
  freeForm: { argument: 'cmd', options: [...FREE_FORM_OPTIONS, 'executable'] },
  facts: (args) => guardFacts(args),
  plan: (args, facts) => userCommandPlan(args, facts, shellScriptCommand(args.cmd, args.executable), args.cmd),
});
