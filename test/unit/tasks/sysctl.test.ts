import type { RemoteFile } from '../../../src/facts/file';
import sysctl from '../../../src/tasks/sysctl';
import { captured, fixtureText } from '../fixtures/network';
import { argumentProblems, commandLines, Parsed, planWith } from './plan-with-fixtures';
import { writeFileAtomically } from '../../../src/changes/file';
import { setSysctlValue, setSysctlValuePersisted } from '../../../src/changes/sysctl';

const debian = fixtureText('sysctl.conf.debian12');
const file = (content: string): Parsed<RemoteFile> => new Parsed({ exists: true, content, mode: '644', owner: 'root', group: 'root' });
const noFile = new Parsed<RemoteFile>({ exists: false, content: '' });
const keep = { mode: '644', owner: 'root', group: 'root' };

describe('sysctl arguments', () => {
  it('accepts keys with dots or slashes and a string or integer value', () => {
    expect(argumentProblems(sysctl, { name: 'net.ipv4.ip_forward', value: 1 })).toEqual([]);
    expect(argumentProblems(sysctl, { name: 'net/ipv4/conf/eth0.100/rp_filter', value: '0' })).toEqual([]);
    expect(argumentProblems(sysctl, { name: 'net.ipv4.tcp_rmem', value: '4096\t87380 6291456' })).toEqual([]);
    expect(argumentProblems(sysctl, { name: 'net.ipv4.ip_forward', state: 'absent' })).toEqual([]);
  });

  it.each([
    'net.ipv4.ip_forward; touch /tmp/x',
    '$(id)',
    'net.ipv4.`id`',
    "net.ipv4.ip_forward'",
    'net.ipv4.ip_forward\n',
    'net/../../etc/passwd',
    'net.ipv4..ip_forward',
    'net.ipv4.conf.*.rp_filter',
    'net.ipv4.ip_forward = 1',
    'ip_forward',
    '',
  ])('rejects the name %j', (name) => {
    expect(argumentProblems(sysctl, { name, value: 1 })).toEqual([expect.stringMatching(/^name: does not match/)]);
  });

  it.each(['1\n', '1\nkernel.core_pattern = |/tmp/x', '1\r', '\u0000'])('rejects the value %j (it would break the file)', (value) => {
    expect(argumentProblems(sysctl, { name: 'net.ipv4.ip_forward', value })).toEqual([expect.stringMatching(/^value: does not match/)]);
  });

  it('rejects a blank value and a missing one when present', () => {
    expect(argumentProblems(sysctl, { name: 'net.ipv4.ip_forward', value: '  ' })).toEqual(['value: must not be empty']);
    expect(argumentProblems(sysctl, { name: 'net.ipv4.ip_forward' })).toEqual(['value: is required']);
    expect(argumentProblems(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: 'etc/sysctl.conf' })).toEqual([
      expect.stringMatching(/^sysctl_file: does not match/),
    ]);
  });

  it.each(['/etc/../tmp/x.conf', '/etc/sysctl.d/./x.conf', '/etc//sysctl.conf', '/etc/sysctl.d/', '/..'])('rejects the sysctl_file %j (. and .. segments, empty ones)', (sysctl_file) => {
    expect(argumentProblems(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file })).toEqual([expect.stringMatching(/^sysctl_file: does not match/)]);
  });
});

describe('sysctl plan', () => {
  it('sets live and file on a stock Debian host', () => {
    const plan = planWith(sysctl, { name: 'net.ipv4.ip_forward', value: 1 }, { liveValue: captured('sysctl-ip-forward-0'), file: file(debian) });
    expect(plan.changes).toEqual([
      { subject: 'net.ipv4.ip_forward', before: '0', after: '1' },
      { subject: '/etc/sysctl.conf', before: null, after: 'net.ipv4.ip_forward = 1' },
    ]);
    // One command: live first, then the file; a write that fails puts the live 0 back.
    const encoded = Buffer.from(`${debian}net.ipv4.ip_forward = 1\n`).toString('base64');
    expect(commandLines(plan)).toEqual([
      `lvs_err=$(sysctl -q -w -- net.ipv4.ip_forward=1 2>&1 >/dev/null); lvs_now=$(sysctl -n -- net.ipv4.ip_forward | tr -s '[:blank:]' ' '); ` +
        `[ -z "$lvs_err" ] && [ "$lvs_now" = 1 ] || { echo 'sysctl -w net.ipv4.ip_forward=1 left net.ipv4.ip_forward at' "$lvs_now\${lvs_err:+: $lvs_err}" >&2; exit 1; }\n` +
        `( { { lvs_dest=$(readlink -f -- /etc/sysctl.conf) || lvs_dest=/etc/sysctl.conf; } && ` +
        `{ [ -f "$lvs_dest" ] || [ ! -e "$lvs_dest" ] || { echo '/etc/sysctl.conf is not a regular file' >&2; false; }; } && ` +
        `lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX") && printf %s ${encoded} | base64 -d > "$lvs_tmp" && chmod -- 644 "$lvs_tmp" && ` +
        `chown -- root:root "$lvs_tmp" && mv -f -- "$lvs_tmp" "$lvs_dest"; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; } ) || ` +
        `{ lvs_rc=$?; if sysctl -q -w -- net.ipv4.ip_forward=0; then echo 'net.ipv4.ip_forward was put back to 0' >&2; ` +
        `else echo 'net.ipv4.ip_forward could not be put back to 0' >&2; fi; exit $lvs_rc; }`,
    ]);
  });

  it('sets only the live value when the file already has it', () => {
    const plan = planWith(sysctl, { name: 'net.ipv4.ip_forward', value: 1 }, { liveValue: captured('sysctl-ip-forward-0'), file: file('net.ipv4.ip_forward = 1\n') });
    expect(plan.changes).toEqual([{ subject: 'net.ipv4.ip_forward', before: '0', after: '1' }]);
    expect(commandLines(plan)).toEqual([setSysctlValue('net.ipv4.ip_forward', '1').run.text]);
  });

  it('no-op twin: 1 live and in the file', () => {
    const plan = planWith(
      sysctl,
      { name: 'net.ipv4.ip_forward', value: '1' },
      { liveValue: captured('sysctl-ip-forward-1'), file: file(`${debian}net.ipv4.ip_forward = 1\n`) },
    );
    expect(plan).toEqual({ changes: [], commands: [], noop: 'net.ipv4.ip_forward is 1 live and in /etc/sysctl.conf' });
  });

  it('treats 0 as a value: no-op when 0 live and in the file', () => {
    const plan = planWith(sysctl, { name: 'net.ipv4.ip_forward', value: 0 }, { liveValue: captured('sysctl-ip-forward-0'), file: file('net.ipv4.ip_forward=0\n') });
    expect(plan.noop).toBe('net.ipv4.ip_forward is 0 live and in /etc/sysctl.conf');
    expect(plan.changes).toEqual([]);
  });

  it('sets 0 over 1', () => {
    const plan = planWith(sysctl, { name: 'net.ipv4.ip_forward', value: 0 }, { liveValue: captured('sysctl-ip-forward-1'), file: file('net.ipv4.ip_forward = 1\n') });
    expect(plan.changes).toEqual([
      { subject: 'net.ipv4.ip_forward', before: '1', after: '0' },
      { subject: '/etc/sysctl.conf', before: 'net.ipv4.ip_forward = 1', after: 'net.ipv4.ip_forward = 0' },
    ]);
  });

  it('compares multi-value keys with blanks normalised (no-op twin)', () => {
    const plan = planWith(
      sysctl,
      { name: 'net.ipv4.tcp_rmem', value: '4096 87380   6291456' },
      { liveValue: captured('sysctl-tcp-rmem'), file: file('net.ipv4.tcp_rmem =\t4096 87380 6291456\n') },
    );
    expect(plan.noop).toBe('net.ipv4.tcp_rmem is 4096 87380 6291456 live and in /etc/sysctl.conf');
  });

  it('changes a multi-value key, quoting the blanks', () => {
    const plan = planWith(
      sysctl,
      { name: 'net.ipv4.tcp_rmem', value: '4096 131072 6291456' },
      { liveValue: captured('sysctl-tcp-rmem'), file: file('net.ipv4.tcp_rmem = 4096 87380 6291456\n') },
    );
    expect(plan.changes[0]).toEqual({ subject: 'net.ipv4.tcp_rmem', before: '4096 87380 6291456', after: '4096 131072 6291456' });
    expect(commandLines(plan)).toEqual([
      setSysctlValuePersisted(
        'net.ipv4.tcp_rmem',
        '4096 131072 6291456',
        '4096 87380 6291456',
        writeFileAtomically('/etc/sysctl.conf', 'net.ipv4.tcp_rmem = 4096 131072 6291456\n', keep),
      ).run.text,
    ]);
  });

  it('takes a key written with slashes as the same key', () => {
    const plan = planWith(sysctl, { name: 'net/ipv4/ip_forward', value: 1 }, { liveValue: captured('sysctl-ip-forward-1'), file: file('net.ipv4.ip_forward=1\n') });
    expect(plan.noop).toBe('net.ipv4.ip_forward is 1 live and in /etc/sysctl.conf');
  });

  it('fixes only the file when the live value is right, removing an earlier duplicate', () => {
    const content = 'net.ipv4.ip_forward = 1\n# later\nnet.ipv4.ip_forward = 1\n';
    const plan = planWith(sysctl, { name: 'net.ipv4.ip_forward', value: 1 }, { liveValue: captured('sysctl-ip-forward-1'), file: file(content) });
    expect(plan.changes).toEqual([
      { subject: '/etc/sysctl.conf', before: 'net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward = 1', after: 'net.ipv4.ip_forward = 1' },
    ]);
    expect(commandLines(plan)).toEqual([writeFileAtomically('/etc/sysctl.conf', '# later\nnet.ipv4.ip_forward = 1\n', keep).text]);
  });

  it('fails, writing nothing, when sysctl_file is a directory', () => {
    const directory = new Parsed<RemoteFile>({ exists: false, content: '', otherType: 'directory' });
    expect(() => planWith(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: '/etc/sysctl.d' }, { liveValue: captured('sysctl-ip-forward-0'), file: directory })).toThrow(
      'sysctl_file /etc/sysctl.d is a directory, which lvs does not replace with a file',
    );
  });

  it('fails on a key the host does not have, naming it', () => {
    expect(() =>
      planWith(sysctl, { name: 'net.ipv4.vs.expire_quiescent_template', value: 1 }, { liveValue: captured('sysctl-missing-key'), file: file(debian) }),
    ).toThrow(/^sysctl key net\.ipv4\.vs\.expire_quiescent_template does not exist on this host/);
  });

  it('with reload=false reads and writes only the file (the key may not exist yet)', () => {
    const plan = planWith(
      sysctl,
      { name: 'net.ipv4.vs.expire_quiescent_template', value: 1, reload: false, sysctl_file: '/etc/sysctl.d/90-lvs.conf' },
      { file: noFile },
    );
    expect(plan.changes).toEqual([{ subject: '/etc/sysctl.d/90-lvs.conf', before: null, after: 'net.ipv4.vs.expire_quiescent_template = 1' }]);
    // Read as absent, so written only if still absent.
    expect(commandLines(plan)).toEqual([writeFileAtomically('/etc/sysctl.d/90-lvs.conf', 'net.ipv4.vs.expire_quiescent_template = 1\n', {}, { exists: false }).text]);
    const twin = planWith(
      sysctl,
      { name: 'net.ipv4.vs.expire_quiescent_template', value: 1, reload: false },
      { file: file('net.ipv4.vs.expire_quiescent_template = 1\n') },
    );
    expect(twin.noop).toBe('net.ipv4.vs.expire_quiescent_template is 1 in /etc/sysctl.conf');
  });

  it('absent removes the lines and leaves the live value alone', () => {
    const content = '# keep me\nnet.ipv4.ip_forward = 1\n-net/ipv4/ip_forward=1\n';
    const plan = planWith(sysctl, { name: 'net.ipv4.ip_forward', state: 'absent' }, { file: file(content) });
    expect(plan.changes).toEqual([{ subject: '/etc/sysctl.conf', before: 'net.ipv4.ip_forward = 1\n-net/ipv4/ip_forward=1', after: null }]);
    expect(commandLines(plan)).toEqual([writeFileAtomically('/etc/sysctl.conf', '# keep me\n', keep).text]);
    const twin = planWith(sysctl, { name: 'net.ipv4.ip_forward', state: 'absent' }, { file: file(debian) });
    expect(twin.noop).toBe('net.ipv4.ip_forward is not set in /etc/sysctl.conf (the live value is left alone)');
    expect(planWith(sysctl, { name: 'net.ipv4.ip_forward', state: 'absent' }, { file: noFile }).changes).toEqual([]);
  });

  it.each([
    ['1; touch /tmp/x', "'1; touch /tmp/x'"],
    ['$(id)', "'$(id)'"],
    ['`id`', "'`id`'"],
    ["it's", "'it'\\''s'"],
  ])('quotes the hostile value %j', (value, quoted) => {
    const plan = planWith(sysctl, { name: 'net.ipv4.ip_forward', value }, { liveValue: captured('sysctl-ip-forward-0'), file: file(debian) });
    const assignment = quoted.replace(/^'/, "'net.ipv4.ip_forward=");
    const [setLive, persist] = commandLines(plan)[0].split('\n');
    expect(setLive).toBe(
      `lvs_err=$(sysctl -q -w -- ${assignment} 2>&1 >/dev/null); lvs_now=$(sysctl -n -- net.ipv4.ip_forward | tr -s '[:blank:]' ' '); ` +
        `[ -z "$lvs_err" ] && [ "$lvs_now" = ${quoted} ] || ` +
        `{ echo ${quoted.replace(/^'/, "'sysctl -w net.ipv4.ip_forward=").replace(/'$/, " left net.ipv4.ip_forward at'")} "$lvs_now\${lvs_err:+: $lvs_err}" >&2; exit 1; }`,
    );
    // The file content travels base64-encoded, so the value cannot reach the shell there either.
    expect(persist).toContain(writeFileAtomically('/etc/sysctl.conf', `${debian}net.ipv4.ip_forward = ${value}\n`, keep).text);
    expect(persist).not.toContain(value);
  });
});
