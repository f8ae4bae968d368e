/**
 * Ansible's wait_for module: waits on the host until a TCP port is open, closed or drained,
 * or a file exists (holding a line that matches a regex), or is gone. The wait is one
 * command on the host with its own deadline (wait-script.ts), which tells the engine how
 * long it may take, so --command-timeout does not cut it short. It changes nothing and runs
 * in --check too.
 */
import { defineTask, type Plan } from '../api';
import { longestWait, waitCommand, type Wait } from './wait-script';

type State = 'started' | 'stopped' | 'present' | 'absent' | 'drained';

interface WaitForArgs {
  host: string;
  port?: number;
  path?: string;
  state: State;
  search_regex?: string;
  timeout: number;
  delay: number;
  sleep: number;
  connect_timeout: number;
  active_connection_states: string[];
  exclude_hosts?: string[];
  msg?: string;
}

/** Ansible's names of TCP states, as `ss` prints them. */
const SS_STATES: Record<string, string> = {
  ESTABLISHED: 'ESTAB',
  SYN_SENT: 'SYN-SENT',
  SYN_RECV: 'SYN-RECV',
  FIN_WAIT1: 'FIN-WAIT-1',
  FIN_WAIT2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT',
  CLOSE_WAIT: 'CLOSE-WAIT',
  LAST_ACK: 'LAST-ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

/** A host name or address: no leading dash, nothing a shell or nc would read otherwise. */
const HOST = '^[A-Za-z0-9_:][A-Za-z0-9_.:%-]*$';
const HOST_LIST = '^[A-Za-z0-9_:][A-Za-z0-9_.:%,-]*$';

function waitOf(args: WaitForArgs): Wait {
  const base = {
    host: args.host,
    port: args.port === undefined ? '' : String(args.port),
    path: args.path ?? '',
    regex: args.search_regex ?? '',
    timeout: args.timeout,
    delay: args.delay,
    sleep: args.sleep,
    connectTimeout: args.connect_timeout,
    states: args.active_connection_states.map((state) => SS_STATES[state]),
    // Ansible takes a list or one comma-separated string (`10.2.1.2,10.2.1.3`).
    excludeHosts: (args.exclude_hosts ?? []).flatMap((hosts) => hosts.split(',')).filter(Boolean),
    msg: args.msg ?? '',
  };
  const arriving = args.state === 'started' || args.state === 'present';
  const matching = args.search_regex === undefined ? '' : ` with a match for ${args.search_regex}`;
  if (args.port !== undefined && args.state === 'drained') return { ...base, kind: 'drained', want: '', goal: `port ${args.port} to be drained` };
  if (args.port !== undefined) return { ...base, kind: 'port', want: arriving ? 'open' : 'closed', goal: `${args.host}:${args.port} to be ${arriving ? 'open' : 'closed'}${matching}` };
  if (args.path !== undefined) return { ...base, kind: 'file', want: arriving ? 'present' : 'absent', goal: `${args.path} to ${arriving ? 'exist' : 'be gone'}${matching}` };
  return { ...base, kind: 'sleep', want: '', goal: `${args.timeout}s` };
}

export default defineTask<WaitForArgs, {}>({
  name: 'wait_for',
  description: 'Waits on the host for a TCP port to open, close or drain, or a file to appear (with a matching line) or go; fails with what it saw last.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      host: {
        type: 'string',
        pattern: HOST,
        default: '127.0.0.1',
        description: 'The address to connect to, seen from the host (default: the host itself). For drained: the local address the connections are on; 0.0.0.0 or :: for any.',
      },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'The TCP port.' },
      path: { type: 'string', minLength: 1, description: 'A file to wait for (or, with state absent/stopped, to go away).' },
      state: {
        type: 'string',
        enum: ['started', 'stopped', 'present', 'absent', 'drained'],
        default: 'started',
        description: 'started/present: the port accepts connections, or the file exists; stopped/absent: it refuses them, or the file is gone; drained: the port has no active connections.',
      },
      search_regex: {
        type: 'string',
        minLength: 1,
        description: 'With started/present: a POSIX extended regex (grep -E) that a line of the file, or what the port sends first (needs bash on the host), must match.',
      },
      timeout: { type: 'integer', minimum: 0, default: 300, description: 'Seconds to wait at most, the delay included, before failing.' },
      delay: { type: 'integer', minimum: 0, default: 0, description: 'Seconds to wait before the first look.' },
      sleep: { type: 'integer', minimum: 1, default: 1, description: 'Seconds between looks.' },
      connect_timeout: { type: 'integer', minimum: 1, default: 5, description: 'Seconds one connection attempt may take.' },
      active_connection_states: {
        type: 'array',
        items: { type: 'string', enum: Object.keys(SS_STATES) },
        default: ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT'],
        description: 'For drained: the TCP states that count as an active connection.',
      },
      exclude_hosts: {
        type: 'array',
        items: { type: 'string', pattern: HOST_LIST },
        description: 'For drained: peer addresses whose connections do not count (a list, or addresses separated by commas).',
      },
      msg: { type: 'string', description: 'The message when the wait times out, instead of the usual one (what it saw last is still added).' },
    },
  },
  example: { host: '127.0.0.1', port: 80, state: 'started', timeout: 30, delay: 0, sleep: 1, connect_timeout: 5, active_connection_states: ['ESTABLISHED'] },
  validate(args) {
    const problems: string[] = [];
    if (args.port !== undefined && args.path !== undefined) problems.push('path: give port or path, not both');
    if (args.state === 'drained' && args.port === undefined) problems.push('port: state drained needs a port');
    if (args.search_regex !== undefined && args.state !== 'started' && args.state !== 'present') problems.push('search_regex: only with state started or present');
    if (args.search_regex !== undefined && args.port === undefined && args.path === undefined) problems.push('search_regex: needs a port or a path to search');
    if (args.exclude_hosts !== undefined && args.state !== 'drained') problems.push('exclude_hosts: only with state drained');
    return problems;
  },
  facts: () => ({}),
  plan(args): Plan {
    const wait = waitOf(args);
    return {
      changes: [],
      commands: [{ run: waitCommand(wait), output: true, waitsUpTo: longestWait(wait) }],
      noop: `waited for ${wait.goal}`,
      action: { check: 'run' },
    };
  },
});
