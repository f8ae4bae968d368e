/**
 * What the guest says about itself on the serial console (the run dir's console.log):
 * lab/vm-init.sh and lab/host-init.sh write `lvs-lab: [UPTIME] ...` lines, among them
 * `host NS: sshd listens on ADDR` once a host's sshd has bound its socket and
 * `host NS: failed: ...` if it stops. Reading this file costs the guest nothing, unlike a
 * probe, which makes a host's sshd start a process under TCG.
 */
import { open } from 'node:fs/promises';

export type SshdState = 'starting' | 'listening' | 'stopped';

/** One console line of the guest's, as lab/vm-init.sh and lab/host-init.sh write it. */
export type GuestEvent =
  | { kind: 'listening'; namespace: string; line: string }
  | { kind: 'stopped'; namespace: string; line: string }
  | { kind: 'failed'; line: string }
  | { kind: 'progress'; line: string };

// Searched anywhere in a console line: a kernel message may share the line.
const GUEST_LINE = /lvs-lab: (.*)$/;
const HOST_LINE = /^\[[\d.]+\] host (\S+): (.*)$/;
const HOST_STOPPED = /^\[[\d.]+\] failed: host (\S+) stopped$/;

function parseGuestLine(text: string): GuestEvent | undefined {
  const line = GUEST_LINE.exec(text)?.[1];
  if (line === undefined) return undefined;
  const host = HOST_LINE.exec(line);
  if (host) {
    const [, namespace, message] = host;
    if (message.startsWith('sshd listens on ')) return { kind: 'listening', namespace, line };
    if (message.startsWith('failed:')) return { kind: 'stopped', namespace, line };
  }
  const stopped = HOST_STOPPED.exec(line);
  if (stopped) return { kind: 'stopped', namespace: stopped[1], line };
  if (/\bfailed\b/.test(line)) return { kind: 'failed', line };
  return { kind: 'progress', line };
}

/** Each host's sshd as the guest last reported it; a host it has not mentioned is starting. */
export function sshdStates(events: readonly GuestEvent[], namespaces: readonly string[]): Record<string, SshdState> {
  const states: Record<string, SshdState> = Object.fromEntries(namespaces.map((namespace) => [namespace, 'starting']));
  for (const event of events) {
    if ((event.kind === 'listening' || event.kind === 'stopped') && event.namespace in states) states[event.namespace] = event.kind;
  }
  return states;
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
