/**
 * What the command and shell tasks share: Ansible's options around a command (chdir, the
 * creates/removes guards, stdin, environment) and the plan of an action whose output is
 * the result. Neither task can know what its command changes, so a plan is an action: it
 * runs whenever no guard says otherwise and is never re-planned.
 */
import type { ArgumentSchema, Fact, Plan } from '../api';
import { userCommand } from '../changes/user-command';
import { pathMatches } from '../facts/path-glob';
import type { ShellCommand } from '../shell/quote';

export interface CommandOptions {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline: boolean;
  environment?: Record<string, string>;
}

export type GuardFacts = { creates?: Fact<boolean>; removes?: Fact<boolean> };

/** The options as the free form takes them (`touch /x creates=/x chdir=/tmp`), as Ansible does. */
export const FREE_FORM_OPTIONS = ['chdir', 'creates', 'removes', 'stdin', 'stdin_add_newline'] as const;

export const commandOptionSchemas: { [K in keyof CommandOptions]-?: ArgumentSchema<Exclude<CommandOptions[K], undefined>> } = {
  chdir: { type: 'string', minLength: 1, description: 'Change into this directory before running (and before looking for creates/removes).' },
  creates: {
    type: 'string',
    minLength: 1,
    description: 'A path or glob: when it exists, the command does not run (ok). --check then says whether it would run.',
  },
  removes: {
    type: 'string',
    minLength: 1,
    description: 'A path or glob: when it does not exist, the command does not run (ok). --check then says whether it would run.',
  },
  stdin: { type: 'string', description: "Text for the command's standard input (otherwise it reads /dev/null)." },
  stdin_add_newline: { type: 'boolean', default: true, description: 'End stdin with a newline.' },
  environment: {
    type: 'object',
    additionalProperties: { type: 'string' },
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    description: "Environment variables for the command, NAME: value. Ansible's `environment:` task keyword sets the same.",
  },
};

export function guardFacts(args: CommandOptions): GuardFacts {
  return {
    ...(args.creates === undefined ? {} : { creates: pathMatches(args.creates, args.chdir) }),
    ...(args.removes === undefined ? {} : { removes: pathMatches(args.removes, args.chdir) }),
  };
}

/**
 * The plan of a user's command: not run when a guard says so; otherwise run, changed, with
 * its output as the result. In --check, a guard has decided, so the run is reported; without
 * one, nothing can tell what the command would do, and it is skipped, as Ansible does.
 */
export function userCommandPlan(args: CommandOptions, facts: { creates?: boolean; removes?: boolean }, command: ShellCommand, cmd: unknown): Plan {
  // Registered as Ansible registers a command a guard kept from running, so `r.rc` is there.
  const notRun = (because: string): Plan => ({
    changes: [],
    commands: [],
    noop: `did not run: ${because}`,
    result: { cmd, msg: `Did not run command since ${because}`, rc: 0, stdout: `skipped, since ${because}`, stderr: '', stdout_lines: [`skipped, since ${because}`], stderr_lines: [] },
  });
  if (facts.creates === true) return notRun(`${args.creates} exists`);
  if (facts.removes === false) return notRun(`${args.removes} does not exist`);
  const guarded = args.creates !== undefined || args.removes !== undefined;
  const run = userCommand(command, { chdir: args.chdir, environment: args.environment, stdin: args.stdin, stdinNewline: args.stdin_add_newline });
  return {
    changes: [{ subject: 'runs', before: null, after: command.shown }],
    commands: [{ run, output: true }],
    action: { check: guarded ? 'report' : { skip: 'a command runs only without --check (creates or removes would say whether it runs)' } },
    result: { cmd },
  };
}
