/** Which tasks a run starts: --tags, --skip-tags, and the special tags never, always and all. */
import { keyValueHost } from '../../support/scripted-shell';
import { runScripted } from './scripted-run';

const PLAYBOOK = `
- hosts: all
  tasks:
    - { name: untagged, kv: { key: u, value: '1' } }
    - { name: tagged a, kv: { key: a, value: '1' }, tags: a }
    - { name: tagged b, kv: { key: b, value: '1' }, tags: [b] }
    - { name: never c, kv: { key: c, value: '1' }, tags: [never, c] }
    - { name: always, kv: { key: w, value: '1' }, tags: always }
`;
const IN_PLACE = { u: '1', a: '1', b: '1', c: '1', w: '1' };

describe('task selection by tags', () => {
  it.each([
    { tags: [], skipTags: [], started: ['untagged', 'tagged a', 'tagged b', 'always'], read: ['cat u', 'cat a', 'cat b', 'cat w'] },
    { tags: ['all'], skipTags: [], started: ['untagged', 'tagged a', 'tagged b', 'always'], read: ['cat u', 'cat a', 'cat b', 'cat w'] },
    { tags: ['a'], skipTags: [], started: ['tagged a', 'always'], read: ['cat a', 'cat w'] },
    { tags: ['a', 'b'], skipTags: [], started: ['tagged a', 'tagged b', 'always'], read: ['cat a', 'cat b', 'cat w'] },
    { tags: ['c'], skipTags: [], started: ['never c', 'always'], read: ['cat c', 'cat w'] },
    { tags: ['never'], skipTags: [], started: ['never c', 'always'], read: ['cat c', 'cat w'] },
    { tags: [], skipTags: ['always'], started: ['untagged', 'tagged a', 'tagged b'], read: ['cat u', 'cat a', 'cat b'] },
    { tags: ['a'], skipTags: ['a'], started: ['always'], read: ['cat w'] },
    { tags: ['all'], skipTags: ['b'], started: ['untagged', 'tagged a', 'always'], read: ['cat u', 'cat a', 'cat w'] },
    { tags: ['c'], skipTags: ['never'], started: ['always'], read: ['cat w'] },
    { tags: ['nothing'], skipTags: [], started: ['always'], read: ['cat w'] },
  ])('--tags $tags --skip-tags $skipTags starts $started', async ({ tags, skipTags, started, read }) => {
    const { events, connector } = await runScripted(PLAYBOOK, { h1: keyValueHost(IN_PLACE) }, { tags, skipTags });
    expect(events.flatMap((event) => (event.kind === 'task-started' ? [event.task.name] : []))).toEqual(started);
    const play = events.find((event) => event.kind === 'batch-started');
    expect(play?.kind === 'batch-started' && play.play.tasks.map((task) => task.name)).toEqual(started);
    // Only the selected tasks' facts are read, all in one exec.
    expect(connector.execsOf('h1')).toEqual([{ apply: [], read }]);
  });

  it('runs no task and opens no exec when the tags select none', async () => {
    const { events, connector, exitCode } = await runScripted(PLAYBOOK, { h1: keyValueHost(IN_PLACE) }, { tags: ['a'], skipTags: ['a', 'always'] });
    expect(events.filter((event) => event.kind === 'task-started')).toEqual([]);
    expect(connector.execs).toEqual([]);
    expect(exitCode).toBe(0);
  });
});
