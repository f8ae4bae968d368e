/**
 * What the guest says about itself on the serial console (the run dir's console.log):
 * lab/vm-init.sh and lab/host-init.sh write `lvs-lab: [UPTIME] ...` lines, among them
 * `host NS: sshd listens on ADDR` once a host's sshd has bound its socket and
 * `host NS: failed: ...` if it stops, and `host NS: rebooting` when `lvs lab reboot` ends
 * it and boots it again. Reading this file costs the guest nothing, unlike a probe, which
 * makes a host's sshd start a process under TCG.
 */
import { open } from 'node:fs/promises';

export type SshdState = 'starting' | 'listening' | 'stopped';

/** One console line of the guest's, as lab/vm-init.sh and lab/host-init.sh write it. */
export type GuestEvent =
  | { kind: 'listening'; namespace: string; line: string; uptime: number }
  | { kind: 'rebooting'; namespace: string; line: string; uptime: number }
  | { kind: 'stopped'; namespace: string; line: string; uptime: number }
  | { kind: 'diagnosis'; namespace: string; line: string }
  | { kind: 'failed'; line: string }
  | { kind: 'progress'; line: string };

// Searched anywhere in a console line: a kernel message may share the line.
const GUEST_LINE = /lvs-lab: (.*)$/;
/** What the guest shows of a host when asked (diagnose_host in lab/vm-init.sh): text, not events. */
const DIAGNOSIS_LINE = /lvs-lab-diagnosis (\S+): (.*)$/;
const HOST_LINE = /^\[([\d.]+)\] host (\S+): (.*)$/;
const HOST_STOPPED = /^\[([\d.]+)\] failed: host (\S+) stopped$/;

function parseGuestLine(text: string): GuestEvent | undefined {
  const diagnosis = DIAGNOSIS_LINE.exec(text);
  if (diagnosis) return { kind: 'diagnosis', namespace: diagnosis[1], line: diagnosis[2] };
  const line = GUEST_LINE.exec(text)?.[1];
  if (line === undefined) return undefined;
  const host = HOST_LINE.exec(line);
  if (host) {
    const [, uptime, namespace, message] = host;
    if (message.startsWith('sshd listens on ')) return { kind: 'listening', namespace, line, uptime: Number(uptime) };
    if (message === 'rebooting') return { kind: 'rebooting', namespace, line, uptime: Number(uptime) };
    if (message.startsWith('failed:')) return { kind: 'stopped', namespace, line, uptime: Number(uptime) };
  }
  const stopped = HOST_STOPPED.exec(line);
  if (stopped) return { kind: 'stopped', namespace: stopped[2], line, uptime: Number(stopped[1]) };
  if (/\bfailed\b/.test(line)) return { kind: 'failed', line };
  return { kind: 'progress', line };
}

const STATE_AFTER: Partial<Record<GuestEvent['kind'], SshdState>> = { listening: 'listening', stopped: 'stopped', rebooting: 'starting' };

/** Each host's sshd as the guest last reported it; a host it has not mentioned is starting. */
export function sshdStates(events: readonly GuestEvent[], namespaces: readonly string[]): Record<string, SshdState> {
  const states: Record<string, SshdState> = Object.fromEntries(namespaces.map((namespace) => [namespace, 'starting']));
  for (const event of events) {
    const state = STATE_AFTER[event.kind];
    if (state && 'namespace' in event && event.namespace in states) states[event.namespace] = state;
  }
  return states;
}

/**
 * For each host, the guest's uptime (s) when its current boot began: its last reboot, or 0
 * for a host that has run since the VM booted.
 */
export function bootUptimes(events: readonly GuestEvent[], namespaces: readonly string[]): Record<string, number> {
  const uptimes: Record<string, number> = Object.fromEntries(namespaces.map((namespace) => [namespace, 0]));
  for (const event of events) if (event.kind === 'rebooting' && event.namespace in uptimes) uptimes[event.namespace] = event.uptime;
  return uptimes;
}

/** Reads the console log from where it last stopped and hands over the guest's new lines. */
export class ConsoleFollower {
  private offset = 0;
  private partial = '';

  constructor(private readonly path: string) {}

  async newEvents(): Promise<GuestEvent[]> {
    const file = await open(this.path, 'r').catch(() => undefined);
    if (!file) return [];
    try {
      const { size } = await file.stat();
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      await file.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buffer.toString('utf8')).split(/\r?\n/);
      this.partial = lines.pop() ?? '';
      return lines.map(parseGuestLine).filter((event): event is GuestEvent => event !== undefined);
    } finally {
      await file.close();
    }
  }
}
