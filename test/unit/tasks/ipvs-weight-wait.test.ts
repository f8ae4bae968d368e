/**
 * The wait after a keepalived reload, run by this machine's sh against a stand-in ipvsadm
 * that prints one `ipvsadm -L -n` of the service per call (the table keepalived changes a
 * moment after the reload), and a stand-in date that moves 4 s a call, so the deadline comes
 * without waiting for it.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { spawnSync } from 'child_process';
import type { ServiceKey } from '../../../src/facts/ipvs';
import { weightWaitCommand } from '../../../src/tasks/ipvs-weight-wait';

const KEY: ServiceKey = { kind: 'address', protocol: 'tcp', family: 4, address: '192.168.2.100', port: 80 };
const LABEL = '192.168.2.11:80 of -t 192.168.2.100:80';

const table = (rs1: number | undefined) =>
  [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  192.168.2.100:80 rr',
    ...(rs1 === undefined ? [] : [`  -> 192.168.2.11:80             Route   ${rs1}      3          0`]),
    '  -> 192.168.2.12:80             Route   1      0          0',
  ].join('\n');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-weight-wait-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the wait for `weight` while ipvsadm shows rs1 at each of `seen` in turn (the last one from then on). */
function waitWith(weight: number, seen: (number | undefined)[]) {
  seen.forEach((rs1, index) => writeFileSync(join(dir, `table.${index}`), `${table(rs1)}\n`));
  writeFileSync(
    join(dir, 'ipvsadm'),
    `#!/bin/sh\necho "$*" >> ${dir}/args\nn=$(cat ${dir}/n 2>/dev/null || echo 0)\n[ -e ${dir}/table.$n ] || n=${seen.length - 1}\necho $((n + 1)) > ${dir}/n\ncat ${dir}/table.$n\n`,
  );
  writeFileSync(join(dir, 'date'), `#!/bin/sh\nt=$(cat ${dir}/t 2>/dev/null || echo 1000)\necho $((t + 4)) > ${dir}/t\necho $t\n`);
  chmodSync(join(dir, 'ipvsadm'), 0o755);
  chmodSync(join(dir, 'date'), 0o755);
  const result = spawnSync('sh', ['-c', weightWaitCommand(KEY, '192.168.2.11:80', weight, LABEL).text], { encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}`, LANG: 'C' }, timeout: 10_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, looks: readFileSync(join(dir, 'args'), 'utf8').trim().split('\n') };
}

describe('the weight wait', () => {
  it('looks at the service only, until the server shows the weight', () => {
    const result = waitWith(0, [1, 1, 0]);
    expect(result).toEqual({ code: 0, stdout: `${LABEL} has weight 0 in the IPVS table\n`, stderr: '', looks: ['-L -n -t 192.168.2.100:80', '-L -n -t 192.168.2.100:80', '-L -n -t 192.168.2.100:80'] });
  });

  it('drains a server that is not in the table at once: its check took it out, and keepalived puts it back at weight 0', () => {
    const result = waitWith(0, [undefined]);
    expect(result).toMatchObject({ code: 0, stdout: `${LABEL} is not in the IPVS table (its health check failed): keepalived gives it weight 0 when it puts it back\n` });
    expect(result.looks).toHaveLength(1);
  });

  it('gives a server put back in service until the deadline to be re-added by its next check', () => {
    const result = waitWith(1, [undefined, undefined, 1]);
    expect(result).toMatchObject({ code: 0, stdout: `${LABEL} has weight 1 in the IPVS table\n` });
    expect(result.looks).toHaveLength(3);
  });

  it('ends at the deadline, without failing, when a server put back in service is still out: its check fails, and keepalived puts it back at the weight', () => {
    const result = waitWith(1, [undefined]);
    expect(result).toMatchObject({ code: 0, stdout: `${LABEL} is not in the IPVS table (its health check failed): keepalived gives it weight 1 when it puts it back\n` });
    expect(result.looks).toHaveLength(3);
  });

  it('fails after its 10 s, saying what the table shows', () => {
    const result = waitWith(0, [1]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${LABEL} still has weight 1 in the IPVS table 10s after the reload, not 0: see keepalived's log (a failed server of an inhibit_on_failure service stays at 0)\n`);
    expect(result.looks).toHaveLength(3);
  });

  it('fails at once when ipvsadm cannot list the service', () => {
    writeFileSync(join(dir, 'ipvsadm'), '#!/bin/sh\necho "Memory allocation problem" >&2\nexit 1\n');
    chmodSync(join(dir, 'ipvsadm'), 0o755);
    const result = spawnSync('sh', ['-c', weightWaitCommand(KEY, '192.168.2.11:80', 0, LABEL).text], { encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}` } });
    expect([result.status, result.stderr]).toEqual([2, 'Memory allocation problem\n']);
  });
});
