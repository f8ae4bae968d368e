/**
 * A run recorded from the scripted shell, for the renderers: two plays over a host that
 * changes (with a handler and a skipped task), one that fails (once ignored) and one that
 * cannot be reached. One fork keeps the hosts' events in a fixed order; timings are set to
 * zero so that output can be written out literally.
 */
import type { RunEvent } from '../../../src/engine/execute/events';
import { keyValueHost, unreachableHost } from '../../support/scripted-shell';
import { runScripted, type ScriptedRunOptions } from '../execute/scripted-run';

export const PLAYBOOK = `
- name: web
  hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, notify: done }
    - { name: only h2, kv: { key: b, value: '1' }, when: "inventory_hostname == 'h2'" }
    - { name: may fail, kv: { key: c, value: '1' }, ignore_errors: true }
    - { name: must work, kv: { key: d, value: '1' } }
  handlers:
    - { name: done, kv: { key: h, value: ran } }
- name: db
  hosts: all
  tasks:
    - { name: set e, kv: { key: e, value: '1' } }
`;

const readOnly = (command: string) => (/^printf %s 1 > [cd]$/.test(command) ? { stderr: 'Read-only file system\n', exitCode: 1 } : undefined);

/** Every duration set to 0, so that shown times are fixed. */
function withoutTimings(event: RunEvent): RunEvent {
  return JSON.parse(JSON.stringify(event), (key, value) => (key === 'duration_ms' ? 0 : value));
}

export async function recordedRun(options: ScriptedRunOptions = {}): Promise<RunEvent[]> {
  const { events } = await runScripted(
    PLAYBOOK,
    {
      h1: keyValueHost({ a: '0', c: '1', d: '1' }),
      h2: keyValueHost({ a: '1' }, readOnly),
      h3: unreachableHost('connect ECONNREFUSED 127.0.0.3:22'),
    },
    { forks: 1, ...options },
  );
  return events.map(withoutTimings);
}
