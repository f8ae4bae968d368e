import { parseSysctlConf, sysctlSettings, withoutSysctlSetting, withSysctlSetting } from '../../../src/facts/sysctl-conf';
import { fixtureText } from '../fixtures/network';

const debian = fixtureText('sysctl.conf.debian12');

describe('parseSysctlConf', () => {
  it('finds no setting in Debian 12 stock file (all commented out)', () => {
    expect(debian).toContain('#net.ipv4.ip_forward=1');
    expect(parseSysctlConf(debian)).toEqual([]);
  });

  it('reads the forms procps and systemd accept', () => {
    const content = [
      '# net.ipv4.ip_forward = 1',
      '; net.ipv4.ip_forward = 1',
      '   net.ipv4.ip_forward=1   ',
      'net/ipv4/conf/all/arp_ignore = 1',
      '-net.ipv4.vs.conntrack = 1',
      'net.ipv4.tcp_rmem =   4096    87380\t6291456  ',
      'not a setting',
      '= 3',
      'kernel.printk = 3 4 1 3\r',
    ].join('\n');
    expect(parseSysctlConf(content).map(({ line, key, value }) => [line, key, value])).toEqual([
      [2, 'net.ipv4.ip_forward', '1'],
      [3, 'net.ipv4.conf.all.arp_ignore', '1'],
      [4, 'net.ipv4.vs.conntrack', '1'],
      [5, 'net.ipv4.tcp_rmem', '4096 87380 6291456'],
      [8, 'kernel.printk', '3 4 1 3'],
    ]);
  });
});

describe('withSysctlSetting', () => {
  it('appends to a file that lacks the key, keeping every line', () => {
    const after = withSysctlSetting(debian, 'net.ipv4.ip_forward', '1');
    expect(after).toBe(`${debian}net.ipv4.ip_forward = 1\n`);
  });

  it('adds the missing newline before appending', () => {
    expect(withSysctlSetting('kernel.printk = 3 4 1 3', 'net.ipv4.ip_forward', '0')).toBe('kernel.printk = 3 4 1 3\nnet.ipv4.ip_forward = 0\n');
    expect(withSysctlSetting('', 'net.ipv4.ip_forward', '0')).toBe('net.ipv4.ip_forward = 0\n');
  });

  it('replaces the last line for the key and removes earlier ones, whatever their spelling', () => {
    const before = ['# forwarding', 'net/ipv4/ip_forward=0', 'kernel.printk = 3 4 1 3', ' net.ipv4.ip_forward = 0 # old', '# end', ''].join('\n');
    expect(withSysctlSetting(before, 'net.ipv4.ip_forward', '1')).toBe(
      ['# forwarding', 'kernel.printk = 3 4 1 3', 'net.ipv4.ip_forward = 1', '# end', ''].join('\n'),
    );
    expect(sysctlSettings(before, 'net.ipv4.ip_forward').map((setting) => setting.text)).toEqual([
      'net/ipv4/ip_forward=0',
      ' net.ipv4.ip_forward = 0 # old',
    ]);
  });
});

describe('withoutSysctlSetting', () => {
  it('removes every line for the key and nothing else', () => {
    const before = 'net.ipv4.ip_forward = 1\n# keep\nnet/ipv4/ip_forward=1\nkernel.printk = 3 4 1 3\n';
    expect(withoutSysctlSetting(before, 'net.ipv4.ip_forward')).toBe('# keep\nkernel.printk = 3 4 1 3\n');
    expect(withoutSysctlSetting('net.ipv4.ip_forward = 1\n', 'net.ipv4.ip_forward')).toBe('');
  });
});
