/**
 * The httpd task against a real sshd host (SysV init, its own /etc, /var and /run): the
 * host's own apache2 is started, serves the page, stops; the page is checked with curl from
 * inside the host's network namespace.
 */
import { randomBytes } from 'crypto';
import { lvsTask } from './lvs-task';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const HOST = 'web1';
const PID_FILE = '/var/run/apache2/apache2.pid';
let lab: TestLab;
let address: string;


const httpd = (words: string[], check = false) => lvsTask(lab, HOST, 'httpd', words, { check });

async function onHost(command: string) {
  return lab.onHost(HOST, command);
}

/** What the host's web server answers, from inside its own network namespace. */
async function page(): Promise<{ exitCode: number; body: string }> {
  const result = await onHost(`curl -sS --max-time 5 http://${address}/`);
  return { exitCode: result.exitCode, body: result.stdout };
}

beforeAll(async () => {
  lab = await startHosts([HOST]);
  address = lab.hosts[0].address;
});

afterAll(async () => {
  if (!lab) return;
  // Only the apache2 this test started: the one whose pid is in this host's pid file.
  await onHost(`if [ -f ${PID_FILE} ]; then kill "$(cat ${PID_FILE})" 2>/dev/null; fi; true`).catch(() => undefined);
  await lab.destroy();
});

describe('httpd on a SysV host', () => {
  it('starts apache2 with a page naming the host: changed', async () => {
    const run = await httpd([]);
    expect(run.host?.status).toBe('changed');
    expect(run.exitCode).toBe(0);
    expect((await onHost('service apache2 status >/dev/null 2>&1; echo $?')).stdout.trim()).toBe('0');
    const served = await page();
    expect(served.exitCode).toBe(0);
    expect(served.body).toContain(`<h1>${HOST}</h1>`);
  });

  it('again: ok, nothing to do', async () => {
    const run = await httpd([]);
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe('apache2 is installed and running; /var/www/html/index.html is up to date');
  });

  it('--check with new page content: reports the change and leaves the page alone', async () => {
    const before = (await page()).body;
    const run = await httpd(['index_content=<p>new page</p>'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: '/var/www/html/index.html', before, after: '<p>new page</p>' }]);
    expect((await page()).body).toBe(before);
  });

  it('state=restarted on a server that started after its configuration: ok', async () => {
    const run = await httpd(['state=restarted']);
    expect(run.host?.status).toBe('ok');
  });

  it('state=restarted after the configuration changed: restarts once, then ok', async () => {
    const pidBefore = (await onHost(`cat ${PID_FILE}`)).stdout.trim();
    await onHost('touch /etc/apache2/apache2.conf');
    const run = await httpd(['state=restarted']);
    expect(run.host?.status).toBe('changed');
    const pidAfter = (await onHost(`cat ${PID_FILE}`)).stdout.trim();
    expect(pidAfter).not.toBe(pidBefore);
    expect((await page()).body).toContain(`<h1>${HOST}</h1>`);
    expect((await httpd(['state=restarted'])).host?.status).toBe('ok');
  });

  it('a hostile template name is refused before anything runs', async () => {
    const marker = `/var/tmp/lvs-pwned-${randomBytes(4).toString('hex')}`;
    const run = await httpd([`index_template=x.hbs; touch ${marker}`]);
    expect(run.exitCode).toBe(4);
    expect((await onHost(`test -e ${marker}; echo $?`)).stdout.trim()).toBe('1');
  });

  it('state=stopped: changed, and the server is gone', async () => {
    const run = await httpd(['state=stopped']);
    expect(run.host?.status).toBe('changed');
    expect((await onHost('service apache2 status >/dev/null 2>&1; echo $?')).stdout.trim()).toBe('3');
    expect((await page()).exitCode).not.toBe(0);
    expect((await httpd(['state=stopped'])).host?.status).toBe('ok');
  });
});
