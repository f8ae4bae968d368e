/** How the plain lines show a play stopped by its failure limit, and a failed item by its loop_control label. */
import { PlainLines } from '../../../src/render/plain-lines';
import { keyValueHost } from '../../support/scripted-shell';
import { runScripted } from '../execute/scripted-run';

const readOnly = (key: string) => (command: string) => (command.endsWith(`> ${key}`) ? { stderr: 'Read-only file system\n', exitCode: 1 } : undefined);

it('names the failed item by its label, says why the play stopped and which hosts it never reached', async () => {
  const playbook = `
- name: roll
  hosts: all
  serial: 1
  max_fail_percentage: 0
  tasks:
    - name: keys
      kv: { key: '{{ item.key }}', value: '1' }
      loop: [{ key: a, token: hidden-a }, { key: b, token: hidden-b }]
      loop_control: { label: '{{ item.key }}' }
`;
  let output = '';
  const lines = new PlainLines({ diff: false, write: (text) => (output += text) });
  await runScripted(playbook, { h1: keyValueHost({}, readOnly('b')), h2: keyValueHost({}), h3: keyValueHost({}) }, { listener: lines.listener });
  await lines.done();
  const shown = output.replace(/\(\d+\.\d\ds\)/g, '(N s)').split('\n');
  expect(shown.slice(0, 4)).toEqual([
    'PLAY [roll] ****************************************',
    'h1 | FAILED: keys (item=b) (N s): printf %s 1 > b exited 1: Read-only file system',
    'PLAY [roll] failed: 1 of 1 hosts failed or were unreachable',
    "PLAY [roll] stopped: max_fail_percentage 0: 1 of the batch's 1 hosts failed",
  ]);
  expect(output).not.toContain('hidden-b');
  expect(output).toContain("STOPPED: play 'roll' ended (max_fail_percentage 0: 1 of the batch's 1 hosts failed); no later batch or play ran.\n  not run on: h2, h3");
});
