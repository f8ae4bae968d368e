/**
 * The service task against a real sshd host whose PID 1 is not systemd (SysV init, its own
 * /etc, /var and /run): an LSB init script written into the host's /etc/init.d runs a
 * sleeping daemon through start-stop-daemon; the host itself is checked through the
 * script's status, the daemon's pid file and the /etc/rcN.d links update-rc.d keeps.
 */
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runLvs } from '../../support/cli';
import { lvsTask, onHost as onLabHost } from './lvs-task';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const HOST = 'svc1';
const SERVICE = 'lvs-test-daemon';
const PID_FILE = `/run/${SERVICE}.pid`;
const RELOADS = `/var/tmp/${SERVICE}.reloads`;
let lab: TestLab;

const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${SERVICE}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: a sleeping daemon for the service task's tests
### END INIT INFO
case "$1" in
  start) start-stop-daemon --start --quiet --oknodo --background --make-pidfile --pidfile ${PID_FILE} --exec /bin/sleep -- 1000000 ;;
  stop) start-stop-daemon --stop --quiet --oknodo --retry 5 --pidfile ${PID_FILE} && rm -f ${PID_FILE} ;;
  restart) "$0" stop && "$0" start ;;
  reload) start-stop-daemon --status --pidfile ${PID_FILE} && echo reloaded >> ${RELOADS} ;;
  status) start-stop-daemon --status --pidfile ${PID_FILE} ;;
  *) echo "usage: $0 start|stop|restart|reload|status" >&2; exit 3 ;;
esac
`;

const service = (words: string[], check = false) => lvsTask(lab, HOST, 'service', [`name=${SERVICE}`, ...words], { check });
const onHost = (command: string) => onLabHost(lab, HOST, command);

/** The script's LSB status code inside the host: 0 running, 3 stopped. */
async function status(): Promise<number> {
  return (await lab.onHost(HOST, `/etc/init.d/${SERVICE} status`)).exitCode;
}

/** The host's runlevel links for the script, as `ls` names them: S01... or K01... */
async function links(): Promise<string> {
  return (await onHost(`cd /etc && ls -d rc[0-6].d/*${SERVICE} | tr '\\n' ' '`)).trim();
}

const pid = async () => (await onHost(`cat ${PID_FILE}`)).trim();

beforeAll(async () => {
  lab = await startHosts([HOST]);
  await onHost(`cat > /etc/init.d/${SERVICE} <<'EOF'\n${INIT_SCRIPT}EOF\nchmod 0755 /etc/init.d/${SERVICE}`);
});

afterAll(async () => {
  // Every process of the host, the daemon among them, ends with its PID namespace.
  await lab?.destroy();
});

describe('service under SysV init', () => {
  it('state=started enabled=true: changed; the daemon runs and S links start it at boot', async () => {
    const run = await service(['state=started', 'enabled=true']);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([
      { subject: `${SERVICE} service`, before: 'stopped', after: 'running' },
      { subject: `${SERVICE} at boot`, before: 'disabled', after: 'enabled' },
    ]);
    expect(await status()).toBe(0);
    expect(await links()).toBe(`rc0.d/K01${SERVICE} rc1.d/K01${SERVICE} rc2.d/S01${SERVICE} rc3.d/S01${SERVICE} rc4.d/S01${SERVICE} rc5.d/S01${SERVICE} rc6.d/K01${SERVICE}`);
  });

  it('again: ok', async () => {
    const run = await service(['state=started', 'enabled=true']);
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe(`${SERVICE} is running, enabled at boot (SysV init)`);
  });

  it('--check state=stopped enabled=false: both reported, the daemon still runs and the links stay', async () => {
    const before = await pid();
    const run = await service(['state=stopped', 'enabled=false'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([
      { subject: `${SERVICE} service`, before: 'running', after: 'stopped' },
      { subject: `${SERVICE} at boot`, before: 'enabled', after: 'disabled' },
    ]);
    expect(await status()).toBe(0);
    expect(await pid()).toBe(before);
    expect(await links()).toContain(`rc2.d/S01${SERVICE}`);
  });

  it('state=restarted: a new daemon on every run, each changed (the restart is the change)', async () => {
    const first = await pid();
    const run = await service(['state=restarted']);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.commands).toEqual([`if command -v service >/dev/null 2>&1; then service ${SERVICE} restart; else /etc/init.d/${SERVICE} restart; fi`]);
    const second = await pid();
    expect(second).not.toBe(first);
    expect((await service(['state=restarted'])).host?.status).toBe('changed');
    expect(await pid()).not.toBe(second);
    expect(await status()).toBe(0);
  });

  it('state=reloaded: reloads on every run, the daemon keeps its pid', async () => {
    const before = await pid();
    expect((await service(['state=reloaded'])).host?.status).toBe('changed');
    expect((await service(['state=reloaded'])).host?.status).toBe('changed');
    expect(await onHost(`cat ${RELOADS}`)).toBe('reloaded\nreloaded\n');
    expect(await pid()).toBe(before);
  });

  it('state=stopped enabled=false: changed, the daemon is gone and only K links are left; again: ok', async () => {
    const run = await service(['state=stopped', 'enabled=false']);
    expect(run.host?.status).toBe('changed');
    expect(await status()).toBe(3);
    expect(await links()).toBe(`rc0.d/K01${SERVICE} rc1.d/K01${SERVICE} rc2.d/K01${SERVICE} rc3.d/K01${SERVICE} rc4.d/K01${SERVICE} rc5.d/K01${SERVICE} rc6.d/K01${SERVICE}`);
    const again = await service(['state=stopped', 'enabled=false']);
    expect(again.host?.status).toBe('ok');
    expect(again.host?.noop).toBe(`${SERVICE} is stopped, disabled at boot (SysV init)`);
  });

  it('state=reloaded on a stopped service starts it', async () => {
    const run = await service(['state=reloaded']);
    expect(run.host?.diff).toEqual([{ subject: `${SERVICE} service`, before: 'stopped', after: 'running' }]);
    expect(await status()).toBe(0);
  });

  it('as a handler: a changed config restarts the daemon once; an unchanged one leaves it alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvs-service-handler-'));
    try {
      writeFileSync(join(dir, 'daemon.conf.hbs'), 'port {{ port }}\n');
      const playbook = join(dir, 'playbook.yml');
      writeFileSync(
        playbook,
        [
          `- hosts: ${HOST}`,
          '  tasks:',
          '    - name: daemon config',
          `      template: { src: daemon.conf.hbs, dest: /etc/${SERVICE}.conf }`,
          '      notify: restart daemon',
          '    - name: daemon running',
          `      service: { name: ${SERVICE}, state: started }`,
          '  handlers:',
          '    - name: restart daemon',
          `      service: { name: ${SERVICE}, state: restarted }`,
          '',
        ].join('\n'),
      );
      const converge = async (port: number) => {
        const run = await runLvs(['run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--json', '-e', `port=${port}`]);
        expect(run.exitCode).toBe(0);
        return JSON.parse(run.stdout).stats[HOST].changed as number;
      };
      const before = await pid();
      expect(await converge(1)).toBe(2);
      const restarted = await pid();
      expect(restarted).not.toBe(before);
      expect(await converge(1)).toBe(0);
      expect(await pid()).toBe(restarted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a service the host does not have fails, naming the script it looked for', async () => {
    const run = await lvsTask(lab, HOST, 'service', ['name=lvs-no-such-daemon', 'state=started']);
    expect(run.host?.status).toBe('failed');
    expect(run.host?.msg).toBe("there is no init script /etc/init.d/lvs-no-such-daemon (the host's PID 1 is not systemd)");
  });

  it.each(['x;touch /var/tmp/pwned-MARK', '-x', '$(touch /var/tmp/pwned-MARK)', '../../tmp/x'])('name=%s is refused before anything runs', async (name) => {
    const mark = randomBytes(4).toString('hex');
    const run = await lvsTask(lab, HOST, 'service', [`name=${name.replace('MARK', mark)}`, 'state=started']);
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain('service: name: ');
    expect((await lab.onHost(HOST, `test -e /var/tmp/pwned-${mark}`)).exitCode).toBe(1);
  });
});
