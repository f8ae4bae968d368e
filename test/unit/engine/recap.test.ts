import { formatChanges, formatRecap } from '../../../src/render/recap';
import { emptyStats, exitCodeOf, type RunReport } from '../../../src/engine/execute/results';

describe('recap and diffs', () => {
  it('shows scalar changes on one line and text changes as a line diff', () => {
    expect(formatChanges([{ subject: 'net.ipv4.ip_forward', before: '0', after: '1' }])).toBe('net.ipv4.ip_forward: 0 -> 1');
    const text = formatChanges([{ subject: '/etc/sysctl.conf', before: 'a\nb\nc\nd\ne', after: 'a\nb\nc\nX\ne' }]);
    expect(text.split('\n')).toEqual(['--- /etc/sysctl.conf (before)', '+++ /etc/sysctl.conf (after)', '  c', '+ X', '- d', '  e']);
    expect(formatChanges([{ subject: 'lo', before: null, after: '192.168.2.100/32' }])).toBe('lo: (absent) -> 192.168.2.100/32');
  });

  const report = (stats: Partial<ReturnType<typeof emptyStats>>[]): RunReport => ({
    plays: [],
    stats: Object.fromEntries(stats.map((entry, index) => [`h${index}`, { ...emptyStats(), ...entry }])),
    check_mode: false,
    duration_ms: 0,
  });

  it('prints an Ansible-like recap', () => {
    expect(formatRecap(report([{ ok: 3, changed: 1 }])).split('\n')[1]).toBe('h0                        : ok=3    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0');
  });

  it('exits like ansible-playbook', () => {
    expect(exitCodeOf(report([{ ok: 1 }]))).toBe(0);
    expect(exitCodeOf(report([{ failures: 1 }]))).toBe(2);
    expect(exitCodeOf(report([{ unreachable: 1 }]))).toBe(4);
    expect(exitCodeOf(report([{ failures: 1 }, { unreachable: 1 }]))).toBe(4);
    expect(exitCodeOf({ ...report([{ ok: 1 }]), interrupted: { h0: 'after x' } })).toBe(99);
  });
});
