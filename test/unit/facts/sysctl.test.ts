import { canonicalSysctlKey, normaliseSysctlValue, parseSysctlValue, setSysctlValue, sysctlValue } from '../../../src/facts/sysctl';
import { captured } from '../fixtures/network';

describe('canonicalSysctlKey', () => {
  it.each([
    ['net.ipv4.ip_forward', 'net.ipv4.ip_forward'],
    ['net/ipv4/ip_forward', 'net.ipv4.ip_forward'],
    [' net.ipv4.conf.all.arp_ignore ', 'net.ipv4.conf.all.arp_ignore'],
    // The first separator decides: the other one is then part of a name (a VLAN device here).
    ['net/ipv4/conf/eth0.100/rp_filter', 'net.ipv4.conf.eth0/100.rp_filter'],
    ['net.ipv4.conf.eth0/100.rp_filter', 'net.ipv4.conf.eth0/100.rp_filter'],
    ['kernel', 'kernel'],
  ])('%s → %s', (key, expected) => {
    expect(canonicalSysctlKey(key)).toBe(expected);
  });
});

describe('normaliseSysctlValue', () => {
  it('collapses blanks and keeps 0', () => {
    expect(normaliseSysctlValue('4096\t131072\t6291456\n')).toBe('4096 131072 6291456');
    expect(normaliseSysctlValue('  4096   87380 6291456 ')).toBe('4096 87380 6291456');
    expect(normaliseSysctlValue(0)).toBe('0');
    expect(normaliseSysctlValue('0')).toBe('0');
    expect(normaliseSysctlValue(-1)).toBe('-1');
  });
});

describe('sysctlValue fact', () => {
  it('runs sysctl -n on the key', () => {
    expect(sysctlValue('net.ipv4.ip_forward').command.text).toBe(captured('sysctl-ip-forward-0').command);
    expect(sysctlValue('net.ipv4.conf.eth0/100.rp_filter').command.text).toBe('sysctl -n net.ipv4.conf.eth0/100.rp_filter');
  });

  it('reads plain, zero and multi-value keys', () => {
    expect(parseSysctlValue('net.ipv4.ip_forward', captured('sysctl-ip-forward-0'))).toBe('0');
    expect(parseSysctlValue('net.ipv4.ip_forward', captured('sysctl-ip-forward-1'))).toBe('1');
    expect(captured('sysctl-tcp-rmem').stdout).toContain('\t');
    expect(parseSysctlValue('net.ipv4.tcp_rmem', captured('sysctl-tcp-rmem'))).toBe('4096 87380 6291456');
  });

  it('fails naming a key the host does not have, with what to do', () => {
    expect(() => parseSysctlValue('net.ipv4.vs.expire_quiescent_template', captured('sysctl-missing-key'))).toThrow(
      /^sysctl key net\.ipv4\.vs\.expire_quiescent_template does not exist on this host \(sysctl: cannot stat \/proc\/sys\/net\/ipv4\/vs\/expire_quiescent_template: No such file or directory\).*load the module first, or set reload=false/,
    );
  });

  it('refuses a group of keys (sysctl -n prints every key under it)', () => {
    expect(() => parseSysctlValue('net.ipv4.route', captured('sysctl-group-key'))).toThrow(
      'sysctl net.ipv4.route is a group of 3 keys, not one key: name a key inside it',
    );
  });
});

describe('setSysctlValue', () => {
  it('sets and reads back in one command, every value quoted', () => {
    expect(setSysctlValue('net.ipv4.conf.all.arp_ignore', '1').run.text).toBe(
      captured('sysctl-write-applied').command.replace(/^sh -c /, ''),
    );
    expect(setSysctlValue('net.ipv4.tcp_rmem', '4096 87380 6291456').run.text).toBe(
      "sysctl -q -w 'net.ipv4.tcp_rmem=4096 87380 6291456' && sysctl -n net.ipv4.tcp_rmem",
    );
  });

  it('accepts a value the kernel took', () => {
    expect(setSysctlValue('net.ipv4.conf.all.arp_ignore', '1').verify!(captured('sysctl-write-applied'))).toBeUndefined();
  });

  it('fails when sysctl exited 0 but the kernel refused the value', () => {
    const refused = captured('sysctl-write-refused');
    expect(refused.exitCode).toBe(0);
    expect(setSysctlValue('net.core.wmem_max', '1').verify!(refused)).toBe(
      'sysctl did not set net.core.wmem_max to 1: sysctl: setting key "net.core.wmem_max": Invalid argument (it is 4194304)',
    );
  });

  it('fails when the kernel reads back another value than was written', () => {
    expect(setSysctlValue('net.ipv4.ip_forward', '01').verify!(captured('sysctl-ip-forward-1'))).toBe(
      'the kernel kept net.ipv4.ip_forward at 1 after sysctl -w net.ipv4.ip_forward=01',
    );
  });
});
