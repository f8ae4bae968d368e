/**
 * playbooks/rolling-update.yml compiled for the shipped NAT, DR and DR pair clusters, as
 * `lvs run` compiles it: one real server per batch with no failure allowed, each drained and
 * restored on every director (through ipvsadm, or keepalived for the pair), checked directly
 * from the first director and through the VIP from the client, its page naming the release;
 * `release` is required. And the shipped playbooks' pages do not change when no release is
 * given, so their no-op reruns stay no-ops.
 */
import { join } from 'node:path';
import { compileRun } from '../../../src/engine/compile/compile';
import type { CompiledRun, TaskUnit } from '../../../src/engine/compile/compiled-run';
import { loadInventories } from '../../../src/engine/inventory';
import { loadPlaybook } from '../../../src/engine/playbook';
import { createRegistry } from '../../../src/engine/registry';
import type { Plan } from '../../../src/api';
import { parseIpvsState } from '../../../src/facts/ipvs';
import { parseMemberActivity } from '../../../src/facts/ipvs-connections';
import { renderKeepalivedConfig, type KeepalivedConfigArgs } from '../../../src/keepalived/render-config';
import { context } from '../tasks/plan-with-fixtures';

const ROOT = join(__dirname, '../../..');

function compile(playbook: string, cluster: string, extraVars: Record<string, unknown>): CompiledRun {
  const registry = createRegistry({ projectDir: ROOT });
  return compileRun({
    playbook: loadPlaybook(join(ROOT, 'playbooks', playbook), registry),
    inventory: loadInventories([join(ROOT, 'inventories', cluster)]),
    registry,
    extraVars,
    tags: [],
    skipTags: [],
    check: false,
    templateDirs: [join(ROOT, 'templates')],
  });
}

/** The units of the task named `name` on `host`, in the play that has it. */
function units(run: CompiledRun, host: string, name: string): TaskUnit[] {
  const play = run.plays.find((candidate) => candidate.tasks.some((task) => task.name === name))!;
  const index = play.tasks.findIndex((task) => task.name === name);
  const entry = play.hosts.find((one) => one.name === host)!.tasks[index];
  if (entry?.kind !== 'run') throw new Error(`${name} on ${host} is ${entry?.kind}`);
  return entry.units;
}

const summary = (unit: TaskUnit) => ({ module: unit.module.name, on: unit.delegate?.host, args: unit.args });

describe.each([
  ['lvs-nat', '192.168.0.109', { rs1: '172.16.100.101', rs2: '172.16.100.102' }, ['director'], 'ipvsadm'],
  ['lvs-dr', '192.168.2.100', { rs1: '192.168.2.11', rs2: '192.168.2.12' }, ['director'], 'ipvsadm'],
  ['lvs-dr-ha', '192.168.2.100', { rs1: '192.168.2.11', rs2: '192.168.2.12' }, ['director', 'director2'], 'keepalived'],
])('rolling-update.yml on %s', (cluster, vip, rips, directors, owner) => {
  const run = compile('rolling-update.yml', cluster, { release: 'v2' });

  it('rolls one real server at a time and stops at the first failure', () => {
    expect(run.plays[0].play.serial).toBe(1);
    expect(run.plays[0].play.control.maxFailPercentage).toBe(0);
    expect(run.plays[0].hosts.map((host) => host.name)).toEqual(['rs1', 'rs2']);
  });

  it.each(['rs1', 'rs2'] as const)(`drains %s on every director through ${owner} with a deadline, checks it directly and through the VIP, and restores it`, (host) => {
    const rip = rips[host];
    const service = { protocol: 'tcp', address: vip, port: 80, server: rip, owner };
    expect(units(run, host, 'drained on every director, its connections finished').map(summary)).toEqual(
      directors.map((on) => ({ module: 'ipvs_member', on, args: expect.objectContaining({ ...service, weight: 0, wait_idle: 120, on_timeout: 'fail', min_pooled: 1 }) })),
    );
    expect(units(run, host, 'page with the release')[0].context.templates['index.html.hbs']).toContain('<p>release v2</p>');
    expect(units(run, host, 'the server itself answers with the release').map(summary)).toEqual([
      { module: 'http_verify', on: 'director', args: expect.objectContaining({ url: `http://${rip}:80/`, servers: ['release v2'], expect: 'only' }) },
    ]);
    expect(units(run, host, 'back in service on every director').map(summary)).toEqual(
      directors.map((on) => ({ module: 'ipvs_member', on, args: expect.objectContaining({ ...service, weight: 1, ramp: { steps: 1, interval: 2 } }) })),
    );
    expect(units(run, host, 'through the VIP, every real server answers').map(summary)).toEqual([
      { module: 'http_verify', on: 'client', args: expect.objectContaining({ url: `http://${vip}:80/`, servers: ['rs1', 'rs2'], expect: 'each' }) },
    ]);
    // The rescue keeps the failing server drained (without waiting) and fails the host, so the roll stops.
    expect(units(run, host, 'the failing server stays out of service').map(summary)).toEqual(
      directors.map((on) => ({ module: 'ipvs_member', on, args: expect.objectContaining({ ...service, weight: 0 }) })),
    );
    expect(units(run, host, 'the failing server stays out of service')[0].args.wait_idle).toBeUndefined();
    expect(units(run, host, 'the roll stops at this server')[0].module.name).toBe('assert');
  });

  it('refuses to compile without a release, saying how to give it', () => {
    expect(() => compile('rolling-update.yml', cluster, {})).toThrow('mandatory: give the release to roll out: -e release=v2');
  });

  it(`leaves the page of ${cluster}.yml as it was when no release is given`, () => {
    const page = units(compile(`${cluster}.yml`, cluster, {}), 'rs1', 'web server with a page naming this server')[0].context.templates['index.html.hbs'];
    expect(page).toBe(
      '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>rs1</title>\n</head>\n<body>\n<h1>rs1</h1>\n<p>This page is served by rs1.</p>\n</body>\n</html>\n',
    );
  });
});

describe('rolling-update.yml on lvs-dr-ha and the keepalived task', () => {
  const rendered = renderKeepalivedConfig(units(compile('lvs-dr-ha.yml', 'lvs-dr-ha', {}), 'director', 'keepalived holds the VIP on the master and keeps the virtual service')[0].args as unknown as KeepalivedConfigArgs);
  const roll = compile('rolling-update.yml', 'lvs-dr-ha', { release: 'v2' });
  const table = parseIpvsState({ stdout: 'ip_vs loaded\nlvs-ipvs-table loaded\n-A -t 192.168.2.100:80 -s rr\n-a -t 192.168.2.100:80 -r 192.168.2.12:80 -g -w 1\n', stderr: '', exitCode: 0 }, ['ip_vs'], true);
  const activity = parseMemberActivity({ stdout: '', stderr: '', exitCode: 0 });
  /** The file that the roll's task writes on director, given the file there (rs1 out of the table, so no wait is planned). */
  const written = (task: string, content: string) => {
    const unit = units(roll, 'rs1', task)[0];
    const plan: Plan = unit.module.plan(unit.args, { table, activity, config: { exists: true, content, sha256: 'ab'.repeat(32) }, status: { init: 'systemd' } }, context);
    return Buffer.from(/printf %s (\S+) \| base64 -d/.exec(plan.commands[0].run.text)![1], 'base64').toString('utf8');
  };

  it("a drain and the restore leave keepalived.conf byte for byte as lvs-dr-ha.yml renders it, so the cluster's playbook stays a no-op", () => {
    const drained = written('drained on every director, its connections finished', rendered);
    expect(drained).not.toBe(rendered);
    expect(drained.replace('real_server 192.168.2.11 80 {\n        weight 0', 'real_server 192.168.2.11 80 {\n        weight 1')).toBe(rendered);
    expect(written('back in service on every director', drained)).toBe(rendered);
  });
});
