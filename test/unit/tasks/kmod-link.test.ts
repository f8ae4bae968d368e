import type { ModuleStatus } from '../../../src/facts/kernel-modules';
import type { RemoteFile } from '../../../src/facts/file';
import kmod from '../../../src/tasks/kmod';
import link from '../../../src/tasks/link';
import { captured } from '../fixtures/network';
import { argumentProblems, commandLines, Parsed, planWith } from './plan-with-fixtures';

const modules = (state: ModuleStatus['state']) => new Parsed<Record<string, ModuleStatus>>({ ipip: { state } });
const bootList = (content?: string) => new Parsed<RemoteFile>(content === undefined ? { exists: false, content: '' } : { exists: true, content, mode: '644' });

describe('kmod', () => {
  it('loads an available module, and does nothing when it is loaded or built in', () => {
    const plan = planWith(kmod, { name: 'ipip' }, { modules: modules('available') });
    expect(commandLines(plan)).toEqual(['modprobe -- ipip']);
    expect(plan.changes).toEqual([{ subject: 'module ipip', before: 'available', after: 'loaded' }]);
    expect(planWith(kmod, { name: 'ipip' }, { modules: modules('loaded') })).toEqual({ changes: [], commands: [], noop: 'module ipip is loaded' });
    expect(planWith(kmod, { name: 'ipip' }, { modules: modules('builtin') }).changes).toEqual([]);
  });

  it('fails clearly when the kernel has no such module (real output of a kernel without a module tree)', () => {
    const fact = captured('kmod-missing-no-module-tree');
    const statuses = kmod.facts({ name: 'ipip', state: 'present', persist: false }, undefined as never).modules.parse(fact);
    expect(statuses.ipip.state).toBe('missing');
    expect(() => kmod.plan({ name: 'ipip', state: 'present', persist: false }, { modules: statuses }, undefined as never)).toThrow(
      /kernel module ipip cannot be loaded: modprobe: FATAL: Module ipip not found/,
    );
  });

  it('persists to modules-load.d only when asked, and its no-op twin', () => {
    const plan = planWith(kmod, { name: 'ipip', persist: true }, { modules: modules('loaded'), bootList: bootList() });
    expect(plan.changes).toEqual([{ subject: '/etc/modules-load.d/ipip.conf', before: null, after: 'ipip\n' }]);
    expect(commandLines(plan)[0]).toBe('mkdir -p /etc/modules-load.d');
    expect(planWith(kmod, { name: 'ipip', persist: true }, { modules: modules('loaded'), bootList: bootList('ipip\n') }).changes).toEqual([]);
  });

  it('fails when something other than a file is where the boot list goes', () => {
    const directory = new Parsed<RemoteFile>({ exists: false, content: '', otherType: 'directory' });
    expect(() => planWith(kmod, { name: 'ipip', persist: true }, { modules: modules('loaded'), bootList: directory })).toThrow(
      '/etc/modules-load.d/ipip.conf is a directory, which lvs does not replace with a file',
    );
  });

  it('unloads and forgets with state absent, and its no-op twin', () => {
    const plan = planWith(kmod, { name: 'ipip', state: 'absent', persist: true }, { modules: modules('loaded'), bootList: bootList('ipip\n') });
    expect(commandLines(plan)).toEqual(['modprobe -r -- ipip', 'rm -f -- /etc/modules-load.d/ipip.conf']);
    expect(planWith(kmod, { name: 'ipip', state: 'absent', persist: true }, { modules: modules('available'), bootList: bootList() }).changes).toEqual([]);
  });

  it.each(['ipip; reboot', '$(id)', '../x', ''])('rejects the module name %j', (name) => {
    expect(argumentProblems(kmod, { name })).toEqual([expect.stringMatching(/^name: does not match/)]);
  });
});

describe('link', () => {
  const addresses = captured('addr-veth-down-up');
  it('brings a down device up, and leaves an up one alone', () => {
    const plan = planWith(link, { dev: 'v0', persist: false }, { interfaces: addresses });
    expect(commandLines(plan)).toEqual(['ip link set dev v0 up']);
    expect(plan.changes).toEqual([{ subject: 'v0', before: 'down', after: 'up' }]);
    expect(planWith(link, { dev: 'v1', persist: false }, { interfaces: addresses })).toEqual({ changes: [], commands: [], noop: 'v1 is up' });
  });

  it('takes a device down', () => {
    expect(commandLines(planWith(link, { dev: 'v1', state: 'down', persist: false }, { interfaces: addresses }))).toEqual(['ip link set dev v1 down']);
  });

  it('says how to get tunl0 when it is missing', () => {
    expect(() => planWith(link, { dev: 'tunl0', persist: false }, { interfaces: addresses })).toThrow(/tunl0 does not exist \(tunl0 appears when the ipip module is loaded/);
  });

  it.each(['eth0; reboot', 'a b', 'averyveryverylongname'])('rejects the device %j', (dev) => {
    expect(argumentProblems(link, { dev })).toEqual([expect.stringMatching(/^dev: does not match/)]);
  });
});
