/** command and shell: the user's command quoted as it must be, the guards, and the action's --check behaviour. */
import command from '../../../src/tasks/command';
import shell from '../../../src/tasks/shell';
import { argumentProblems, commandLines, planWith } from './plan-with-fixtures';

const EXISTS = (fact: string) => ({ command: fact, stdout: 'yes\n', stderr: '', exitCode: 0 });
const MISSING = (fact: string) => ({ command: fact, stdout: 'no\n', stderr: '', exitCode: 0 });
const CREATES_X = `: && lvs_glob=/x && IFS='' && set -- $lvs_glob && if [ -e "$1" ] || [ -L "$1" ]; then echo yes; else echo no; fi`;

describe('command', () => {
  it('runs the words of cmd, split as Ansible splits them, each quoted, with exec', () => {
    const plan = planWith(command, { cmd: `echo "a b" 'c d' e\\ f $(id) ';'` }, {});
    expect(commandLines(plan)).toEqual([`exec echo 'a b' 'c d' 'e f' '$(id)' ';'`]);
    expect(plan.result).toEqual({ cmd: ['echo', 'a b', 'c d', 'e f', '$(id)', ';'] });
    expect(plan.changes).toEqual([{ subject: 'runs', before: null, after: `exec echo 'a b' 'c d' 'e f' '$(id)' ';'` }]);
    expect(plan.commands[0].output).toBe(true);
  });

  it('runs argv word by word: quotes, newlines, leading dashes and assignments stay words', () => {
    const plan = planWith(command, { argv: ['A=b', "it's", 'two\nlines', '--help', '-p /etc/passwd', '`id`'] }, {});
    expect(commandLines(plan)).toEqual([`exec A=b 'it'\\''s' 'two\nlines' --help '-p /etc/passwd' '\`id\`'`]);
  });

  it('puts environment, chdir and stdin around it', () => {
    const plan = planWith(command, { cmd: 'cat', chdir: '/srv/my dir', stdin: 'x $(y)', environment: { LANG: 'C.UTF-8', SECRETISH: "a'b" } }, {});
    expect(commandLines(plan)).toEqual([`export LANG=C.UTF-8 && export 'SECRETISH=a'\\''b' && cd -- '/srv/my dir' && printf '%s\\n' 'x $(y)' | exec cat`]);
    const noNewline = planWith(command, { cmd: 'cat', stdin: 'x', stdin_add_newline: false }, {});
    expect(commandLines(noNewline)).toEqual([`printf '%s' x | exec cat`]);
  });

  it('runs when no guard says otherwise, skipped in --check; a guard decides --check', () => {
    expect(planWith(command, { cmd: 'true' }, {}).action).toEqual({ check: { skip: 'a command runs only without --check (creates or removes would say whether it runs)' } });
    const guarded = planWith(command, { cmd: 'touch /x', creates: '/x' }, { creates: MISSING(CREATES_X) });
    expect(commandLines(guarded)).toEqual(['exec touch /x']);
    expect(guarded.action).toEqual({ check: 'report' });
  });

  it('does not run when creates exists or removes does not (the no-op twins)', () => {
    expect(planWith(command, { cmd: 'touch /x', creates: '/x' }, { creates: EXISTS(CREATES_X) })).toEqual({
      changes: [],
      commands: [],
      noop: 'did not run: /x exists',
      // What Ansible registers for it, so that `r.rc` and `r.stdout` exist.
      result: {
        cmd: ['touch', '/x'],
        msg: 'Did not run command since /x exists',
        rc: 0,
        stdout: 'skipped, since /x exists',
        stderr: '',
        stdout_lines: ['skipped, since /x exists'],
        stderr_lines: [],
      },
    });
    const removes = `: && lvs_glob='/x/*.tmp' && IFS='' && set -- $lvs_glob && if [ -e "$1" ] || [ -L "$1" ]; then echo yes; else echo no; fi`;
    expect(planWith(command, { cmd: 'rm /x/a.tmp', removes: '/x/*.tmp' }, { removes: MISSING(removes) }).noop).toBe('did not run: /x/*.tmp does not exist');
  });

  it('looks for a relative guard in chdir, and a hostile pattern stays one quoted glob', () => {
    const fact = `cd -- /tmp && lvs_glob='$(reboot) *' && IFS='' && set -- $lvs_glob && if [ -e "$1" ] || [ -L "$1" ]; then echo yes; else echo no; fi`;
    expect(planWith(command, { cmd: 'true', chdir: '/tmp', creates: '$(reboot) *' }, { creates: MISSING(fact) }).commands).toHaveLength(1);
  });

  it('fails the task when the guard cannot be looked at', () => {
    expect(() => planWith(command, { cmd: 'true', creates: '/x' }, { creates: { command: CREATES_X, stdout: '', stderr: 'sh: cd: /nope: No such file', exitCode: 2 } })).toThrow(
      'cannot look for /x: sh: cd: /nope: No such file',
    );
  });

  it('refuses cmd and argv together, neither, or a cmd it cannot split (without repeating it)', () => {
    expect(argumentProblems(command, { cmd: 'a', argv: ['a'] })).toEqual(['cmd: give exactly one of cmd (or the free form) and argv']);
    expect(argumentProblems(command, {})).toEqual(['cmd: give exactly one of cmd (or the free form) and argv']);
    expect(argumentProblems(command, { cmd: `echo 'hunter2` })).toEqual(['cmd: cannot split into words at column 6: no closing quotation']);
    expect(argumentProblems(command, { cmd: '  ' })).toEqual(['cmd: names no program']);
    expect(argumentProblems(command, { argv: [] })).toEqual(['argv: must NOT have fewer than 1 items']);
    const badName = argumentProblems(command, { cmd: 'x', environment: { 'A-B': '1' } });
    expect(badName.length).toBeGreaterThan(0);
    for (const problem of badName) expect(problem).toMatch(/^environment: /);
  });
});

describe('shell', () => {
  it('gives the script to /bin/sh -c as one quoted word', () => {
    const plan = planWith(shell, { cmd: `echo "$HOME" | wc -c > /tmp/o; echo 'it''s'` }, {});
    expect(commandLines(plan)).toEqual([`/bin/sh -c 'echo "$HOME" | wc -c > /tmp/o; echo '\\''it'\\'''\\''s'\\'''`]);
    expect(plan.result).toEqual({ cmd: `echo "$HOME" | wc -c > /tmp/o; echo 'it''s'` });
  });

  it('runs it with the given executable, in chdir, with stdin', () => {
    const plan = planWith(shell, { cmd: 'read x; echo "$x"', executable: '/bin/bash', chdir: '/tmp', stdin: 'hi' }, {});
    expect(commandLines(plan)).toEqual([`cd -- /tmp && printf '%s\\n' hi | /bin/bash -c 'read x; echo "$x"'`]);
  });

  it('refuses an executable that is not an absolute path', () => {
    expect(argumentProblems(shell, { cmd: 'true', executable: '-x' })).toEqual(['executable: does not match the expected form ^/[^\\n]*$']);
  });
});
