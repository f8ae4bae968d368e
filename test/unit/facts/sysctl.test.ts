import { canonicalSysctlKey, normaliseSysctlValue, parseSysctlValue, sysctlValue } from '../../../src/facts/sysctl';
import { captured } from '../fixtures/network';
import { setSysctlValue, setSysctlValuePersisted } from '../../../src/changes/sysctl';
import { sh } from '../../../src/shell/quote';

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
    expect(sysctlValue('net.ipv4.conf.eth0/100.rp_filter').command.text).toBe('sysctl -n -- net.ipv4.conf.eth0/100.rp_filter');
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
  // What the command does on a real kernel (refusals, read-back) is tested on real hosts in
  // test/integration/tasks/sysctl.test.ts; here: every value reaches the shell quoted.
  it('sets, reads back and compares in one command, every value quoted', () => {
    expect(setSysctlValue('net.ipv4.tcp_rmem', '4096 87380 6291456').run.text).toBe(
      "lvs_err=$(sysctl -q -w -- 'net.ipv4.tcp_rmem=4096 87380 6291456' 2>&1 >/dev/null); " +
        "lvs_now=$(sysctl -n -- net.ipv4.tcp_rmem | tr -s '[:blank:]' ' '); " +
        `[ -z "$lvs_err" ] && [ "$lvs_now" = '4096 87380 6291456' ] || ` +
        `{ echo 'sysctl -w net.ipv4.tcp_rmem=4096 87380 6291456 left net.ipv4.tcp_rmem at' "$lvs_now\${lvs_err:+: $lvs_err}" >&2; exit 1; }`,
    );
  });

  it('with a persisting write: the write in a subshell, and on its failure the old live value put back', () => {
    expect(setSysctlValuePersisted('net.ipv4.tcp_rmem', '4096 131072 6291456', '4096 87380 6291456', sh`false`).run.text).toBe(
      "lvs_err=$(sysctl -q -w -- 'net.ipv4.tcp_rmem=4096 131072 6291456' 2>&1 >/dev/null); " +
        "lvs_now=$(sysctl -n -- net.ipv4.tcp_rmem | tr -s '[:blank:]' ' '); " +
        `[ -z "$lvs_err" ] && [ "$lvs_now" = '4096 131072 6291456' ] || ` +
        `{ echo 'sysctl -w net.ipv4.tcp_rmem=4096 131072 6291456 left net.ipv4.tcp_rmem at' "$lvs_now\${lvs_err:+: $lvs_err}" >&2; exit 1; }\n` +
        "( false ) || { lvs_rc=$?; if sysctl -q -w -- 'net.ipv4.tcp_rmem=4096 87380 6291456'; " +
        "then echo 'net.ipv4.tcp_rmem was put back to 4096 87380 6291456' >&2; " +
        "else echo 'net.ipv4.tcp_rmem could not be put back to 4096 87380 6291456' >&2; fi; exit $lvs_rc; }",
    );
  });
});
