/**
 * The tools under test: how to start each one on a lab, and how to read its recap.
 *
 * Every Ansible variant shares bench/ansible/ansible.cfg (the fair settings); a variant
 * only adds environment overrides, listed in `settings` so the report shows them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** bench/run.js runs these sources in place, so __dirname is bench/. */
export const BENCH_DIR = __dirname;
export const REPO_ROOT = path.dirname(BENCH_DIR);

const MITOGEN_STRATEGIES = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy';

export interface ToolInvocation {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * Text in the command line of processes that leave the tool's tree but belong to the
   * run (OpenSSH ControlPersist masters): the run's private ControlPath directory.
   */
  adoptMarker?: string;
}

export interface RunContext {
  inventoryFile: string;
  hostCount: number;
  /** A fresh, empty directory for this run only. */
  runDir: string;
}

export interface Recap {
  changed: number;
  failed: number;
  unreachable: number;
  hosts: number;
}

export interface Tool {
  id: string;
  label: string;
  /** Settings beyond the shared ones, for the report. */
  settings: Record<string, string>;
  /** Why the tool cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  invocation(context: RunContext): ToolInvocation;
  recap(stdout: string): Recap | undefined;
}

/** ansible-playbook's PLAY RECAP lines: `h01 : ok=7 changed=7 unreachable=0 failed=0 ...`. */
export function parseAnsibleRecap(stdout: string): Recap | undefined {
  const recap: Recap = { changed: 0, failed: 0, unreachable: 0, hosts: 0 };
  const line = /^\S+\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm;
  for (const match of stdout.matchAll(line)) {
    recap.changed += Number(match[1]);
    recap.unreachable += Number(match[2]);
    recap.failed += Number(match[3]);
    recap.hosts += 1;
  }
  return recap.hosts > 0 ? recap : undefined;
}

/** lvs --json prints a RunReport (Ansible's json callback shape): `stats` per host. */
export function parseLvsRecap(stdout: string): Recap | undefined {
  let report: { stats?: Record<string, { changed: number; failures: number; unreachable: number }> };
  try {
    report = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!report.stats) return undefined;
  const hosts = Object.values(report.stats);
  return {
    changed: hosts.reduce((sum, host) => sum + host.changed, 0),
    failed: hosts.reduce((sum, host) => sum + host.failures, 0),
    unreachable: hosts.reduce((sum, host) => sum + host.unreachable, 0),
    hosts: hosts.length,
  };
}

function ansibleVariant(id: string, label: string, overrides: Record<string, string>, unavailable?: () => string | undefined): Tool {
  return {
    id,
    label,
    settings: overrides,
    unavailable: () => (existsSync('/usr/bin/ansible-playbook') ? unavailable?.() : 'ansible-playbook not installed (apt-get install ansible)'),
    invocation: ({ inventoryFile, hostCount, runDir }) => {
      const controlPathDir = path.join(runDir, 'cp');
      return {
        file: '/usr/bin/ansible-playbook',
        // Host keys are not checked (throwaway hosts, as for lvs); /dev/null keeps the
        // changing keys of re-created hosts out of root's known_hosts.
        args: ['-i', inventoryFile, '--forks', String(hostCount), '--ssh-extra-args', '-o UserKnownHostsFile=/dev/null', path.join(BENCH_DIR, 'ansible', 'playbook.yml')],
        env: {
          ...process.env,
          ANSIBLE_CONFIG: path.join(BENCH_DIR, 'ansible', 'ansible.cfg'),
          ANSIBLE_SSH_CONTROL_PATH_DIR: controlPathDir,
          ANSIBLE_LOCAL_TEMP: path.join(runDir, 'tmp'),
          ...overrides,
        },
        cwd: runDir,
        adoptMarker: controlPathDir,
      };
    },
    recap: parseAnsibleRecap,
  };
}

export const TOOLS: Tool[] = [
  {
    id: 'lvs',
    label: 'lvs',
    settings: { LVS_HOST_KEY_CHECKING: 'false' },
    unavailable: () => {
      // The CLI runs from dist/: a missing or broken build fails here, before any lab starts.
      const help = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), 'run', '--help'], { encoding: 'utf8', timeout: 30_000 });
      if (help.status === 0) return undefined;
      const lines = `${help.stderr ?? ''}${help.stdout ?? ''}`.split('\n');
      const reason = lines.find((line) => /^\s*(message:|.*Error:)/.test(line)) ?? lines.find((line) => line.trim() !== '');
      return `\`node bin/run.js run --help\` failed (npm run build first?): ${reason?.trim() ?? help.error?.message ?? `exit ${help.status}`}`;
    },
    invocation: ({ inventoryFile, hostCount, runDir }) => ({
      file: process.execPath,
      args: [path.join(REPO_ROOT, 'bin', 'run.js'), 'run', path.join(BENCH_DIR, 'lvs', 'playbook.yml'), '-i', inventoryFile, '-f', String(hostCount), '--json'],
      env: { ...process.env, LVS_HOST_KEY_CHECKING: 'false' },
      cwd: runDir,
    }),
    recap: parseLvsRecap,
  },
  ansibleVariant('ansible', 'Ansible (linear)', {}),
  ansibleVariant('ansible-free', 'Ansible (strategy=free)', { ANSIBLE_STRATEGY: 'free' }),
  ansibleVariant(
    'ansible-mitogen',
    'Ansible + Mitogen',
    { ANSIBLE_STRATEGY_PLUGINS: MITOGEN_STRATEGIES, ANSIBLE_STRATEGY: 'mitogen_linear' },
    () => (existsSync(MITOGEN_STRATEGIES) ? undefined : 'ansible-mitogen not installed (apt-get install ansible-mitogen)'),
  ),
];
