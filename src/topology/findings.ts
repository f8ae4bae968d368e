/** What a cluster check reports: an error or a warning at a file, line and key. */
import type { SourcePosition } from '../errors';

export interface Finding {
  severity: 'error' | 'warning';
  host: string;
  /** The variable or argument at fault, e.g. `net.ipv4.conf.all.arp_ignore` or `real_servers.1.address`. */
  key: string;
  message: string;
  position: SourcePosition;
}

export function describeFinding(finding: Finding): string {
  const where = [finding.position.file, finding.position.line, finding.position.column].filter((part) => part !== undefined).join(':');
  return `${finding.severity === 'error' ? 'ERROR' : 'WARNING'}: ${where}: ${finding.host}: ${finding.key}: ${finding.message}`;
}
