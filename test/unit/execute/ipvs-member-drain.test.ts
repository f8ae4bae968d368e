/**
 * A drain through the executor with the real ipvs_member task on a scripted director: the
 * weight is set, the wait's count going down arrives as task-progress events on the task's
 * row, and a second run is a no-op. The director answers the fact commands in their
 * formats; what it prints for the wait is what the script prints (see ipvs-connections.test.ts).
 */
import { TaskRegistry } from '../../../src/engine/registry';
import ipvsMember from '../../../src/tasks/ipvs_member';
import type { ScriptedHost } from '../../support/scripted-shell';
import { linesOf, runScripted } from './scripted-run';

const PLAYBOOK = `
- name: roll
  hosts: rs1
  tasks:
    - name: drain rs1
      ipvs_member: { address: 192.168.0.109, port: 80, server: 172.16.100.101, weight: 0, wait_idle: 60 }
      delegate_to: director
`;

interface Director {
  weight: number;
  connections: number;
}

function director(): ScriptedHost<Director> {
  return {
    state: { weight: 1, connections: 2 },
    answer(command, _become, state) {
      if (command.includes('lvs-ipvs-table')) {
        const rules = `-A -t 192.168.0.109:80 -s rr\n-a -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w ${state.weight}\n-a -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 1\n`;
        return { stdout: `ip_vs loaded\nlvs-ipvs-table loaded\n${rules}` };
      }
      if (command.includes('lvs-ipvs-section')) {
        const entries = Array.from({ length: state.connections }, (_, index) => `TCP 14:59  ESTABLISHED 192.168.0.200:${40000 + index} 192.168.0.109:80   172.16.100.101:80\n`).join('');
        return { stdout: `lvs-ipvs-section counters\nlvs-ipvs-section connections\nIPVS connection entries\npro expire state source virtual destination\n${entries}lvs-ipvs-section quiescent\n0\n` };
      }
      if (command === 'ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 0') {
        state.weight = 0;
        return {};
      }
      if (command.startsWith('sh -c ') && command.includes(' wait_idle TCP 192.168.0.109 80 172.16.100.101 80 60 1 fail ')) {
        state.connections = 0;
        return { progress: ['2 left (2 ESTABLISHED), 0s of 60s', '1 left (1 ESTABLISHED), 1s of 60s'], stdout: '172.16.100.101:80 of -t 192.168.0.109:80 idle after 2s\n' };
      }
      return { stderr: `unexpected: ${command}`, exitCode: 127 };
    },
  };
}

function registry(): TaskRegistry {
  const tasks = new TaskRegistry();
  tasks.register(ipvsMember, 'built-in');
  return tasks;
}

describe('ipvs_member draining through the executor', () => {
  it('sets weight 0, shows the count going down on the task, reports how long it took; a rerun is a no-op', async () => {
    const hosts = { rs1: { state: undefined, answer: () => ({ stderr: 'rs1 runs nothing', exitCode: 1 }) }, director: director() };
    const options = { inventory: 'rs1,director,', registry: registry() };
    const first = await runScripted(PLAYBOOK, hosts, options);
    expect(linesOf(first.events, 'rs1')).toEqual([
      'rs1 connected',
      'rs1 started drain rs1',
      'rs1 progress drain rs1: 2 left (2 ESTABLISHED), 0s of 60s',
      'rs1 progress drain rs1: 1 left (1 ESTABLISHED), 1s of 60s',
      'rs1 finished drain rs1 changed',
      'rs1 ok',
    ]);
    expect(first.report.plays[0].tasks[0].hosts.rs1).toMatchObject({
      status: 'changed',
      delegated_to: 'director',
      diff: [{ subject: '-t 192.168.0.109:80 -r 172.16.100.101:80 weight', before: 1, after: 0 }],
      stdout: '172.16.100.101:80 of -t 192.168.0.109:80 idle after 2s',
    });
    const again = await runScripted(PLAYBOOK, hosts, options);
    expect(again.report.plays[0].tasks[0].hosts.rs1).toMatchObject({ status: 'ok', noop: '172.16.100.101:80 of -t 192.168.0.109:80 has weight 0, no connections left' });
    expect(linesOf(again.events, 'rs1').filter((line) => line.includes('progress'))).toEqual([]);
  });
});
