/** wait_for: one bounded command on the host, whose every value is a quoted parameter of a constant script. */
import wait_for from '../../../src/tasks/wait_for';
import { argumentProblems, planWith } from './plan-with-fixtures';

const shownOf = (input: Record<string, unknown>) => planWith(wait_for, input, {}).commands.map((command) => command.run.shown);

describe('wait_for', () => {
  it('waits for the host itself by default, with Ansible defaults, and says how long it may take', () => {
    const plan = planWith(wait_for, { port: 8080 }, {});
    expect(plan.commands.map((command) => command.run.shown)).toEqual([
      "sh -c <wait_for script> wait_for port open 127.0.0.1 8080 '' '' 300 0 1 5 'ESTAB FIN-WAIT-1 FIN-WAIT-2 SYN-RECV SYN-SENT TIME-WAIT' '' '127.0.0.1:8080 to be open' ''",
    ]);
    expect(plan.commands[0]).toMatchObject({ output: true, waitsUpTo: 300 + 0 + 1 + 2 * 5 });
    expect(plan.action).toEqual({ check: 'run' });
    expect(plan.changes).toEqual([]);
    expect(plan.noop).toBe('waited for 127.0.0.1:8080 to be open');
  });

  it('passes hostile values as quoted parameters of the script', () => {
    expect(shownOf({ path: "/tmp/$(reboot)'x\n", search_regex: '^ready; rm -rf /', timeout: 0, msg: '`id`' })).toEqual([
      `sh -c <wait_for script> wait_for file present 127.0.0.1 '' '/tmp/$(reboot)'\\''x\n' '^ready; rm -rf /' 0 0 1 5 'ESTAB FIN-WAIT-1 FIN-WAIT-2 SYN-RECV SYN-SENT TIME-WAIT' '' '/tmp/$(reboot)'\\''x\n to exist with a match for ^ready; rm -rf /' '\`id\`'`,
    ]);
  });

  it('maps states: stopped closes a port, absent removes a file, drained counts ss states', () => {
    expect(shownOf({ port: 22, state: 'stopped', host: '10.0.0.2', timeout: 5 })[0]).toContain("wait_for port closed 10.0.0.2 22 '' '' 5 ");
    expect(shownOf({ path: '/run/x.pid', state: 'absent' })[0]).toContain("wait_for file absent 127.0.0.1 '' /run/x.pid ''");
    expect(shownOf({ port: 80, state: 'drained', host: '0.0.0.0', active_connection_states: ['ESTABLISHED', 'CLOSE_WAIT'], exclude_hosts: ['10.0.0.9', '::1'] })[0]).toContain(
      "wait_for drained '' 0.0.0.0 80 '' '' 300 0 1 5 'ESTAB CLOSE-WAIT' '10.0.0.9 ::1' 'port 80 to be drained' ''",
    );
    expect(shownOf({ timeout: 3 })[0]).toContain("wait_for sleep '' 127.0.0.1 '' '' '' 3 ");
    // As Ansible's docs write it: one comma-separated string.
    expect(shownOf({ port: 80, state: 'drained', exclude_hosts: '10.2.1.2,10.2.1.3' })[0]).toContain(" '10.2.1.2 10.2.1.3' 'port 80 to be drained' ''");
  });

  it('refuses combinations Ansible refuses or ignores', () => {
    expect(argumentProblems(wait_for, { port: 1, path: '/x' })).toEqual(['path: give port or path, not both']);
    expect(argumentProblems(wait_for, { state: 'drained' })).toEqual(['port: state drained needs a port']);
    expect(argumentProblems(wait_for, { port: 1, state: 'stopped', search_regex: 'x' })).toEqual(['search_regex: only with state started or present']);
    expect(argumentProblems(wait_for, { port: 1, exclude_hosts: ['a'] })).toEqual(['exclude_hosts: only with state drained']);
    expect(argumentProblems(wait_for, { port: 1, host: '-oProxyCommand=x' })).toEqual(['host: does not match the expected form ^[A-Za-z0-9_:][A-Za-z0-9_.:%-]*$']);
    expect(argumentProblems(wait_for, { port: 70000 })).toEqual(['port: must be <= 65535']);
  });
});
