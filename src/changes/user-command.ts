/**
 * A command the user gave (the command and shell tasks), with its working directory,
 * environment and standard input. What runs is the user's; every value still reaches the
 * shell quoted: an argv word by word, a shell script as one word for `SHELL -c`.
 */
import { joinCommands, sh, type ShellCommand } from '../shell/quote';

export interface UserCommandOptions {
  chdir?: string;
  /** Names were checked by the schema to be shell variable names. */
  environment?: Record<string, string>;
  stdin?: string;
  /** Ends stdin with a newline, as Ansible's stdin_add_newline does by default. */
  stdinNewline?: boolean;
}

/**
 * The words of an argv, each one quoted, run by `exec`: so the first word is always a program
 * looked up in PATH, never a shell keyword (`if`), builtin (`cd`) or assignment (`A=b`).
 */
export function argvCommand(argv: readonly string[]): ShellCommand {
  return sh`exec ${argv}`;
}

/** A script run by a shell (`/bin/sh -c SCRIPT`): the one place where the user's text is shell syntax. */
export function shellScriptCommand(script: string, executable: string): ShellCommand {
  return sh`${executable} -c ${script}`;
}

export function userCommand(command: ShellCommand, options: UserCommandOptions): ShellCommand {
  const steps: ShellCommand[] = [];
  // The batch runs each command in its own subshell, so these end with it.
  for (const [name, value] of Object.entries(options.environment ?? {})) steps.push(sh`export ${`${name}=${value}`}`);
  if (options.chdir !== undefined) steps.push(sh`cd -- ${options.chdir}`);
  if (options.stdin === undefined) steps.push(command);
  else if (options.stdinNewline === false) steps.push(sh`printf '%s' ${options.stdin} | ${command}`);
  else steps.push(sh`printf '%s\\n' ${options.stdin} | ${command}`);
  return joinCommands(steps, ' && ');
}
