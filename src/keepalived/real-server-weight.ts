/**
 * The real servers of one virtual_server in a keepalived.conf that the keepalived task wrote
 * (render-config.ts): one keyword per line, a block opened by `HEADER {` at the end of a line
 * and closed by a line holding `}`. ipvs_member reads a server's weight there and changes
 * that one line, so a weight set back to the rendered one leaves the file as it was rendered.
 */
import type { ServiceKey } from '../facts/ipvs';
import { canonicalAddress } from '../net/ip-address';

export interface ConfiguredRealServer {
  /** Canonical, as ipvsadm prints it. */
  address: string;
  /** 0 when the header has none (a fwmark service's server). */
  port: number;
  /** keepalived's default of 1 when the block has no weight line (keepalived.conf(5)). */
  weight: number;
  /** The index of its weight line in the file's lines, when it has one. */
  weightLine?: number;
}

interface Block {
  words: string[];
  /** The protocol line of a virtual_server; keepalived's default is TCP. */
  protocol: string;
  servers: ConfiguredRealServer[];
}

function portOf(word: string | undefined): number {
  return word === undefined ? 0 : Number(word);
}

function sameService(block: Block, key: ServiceKey): boolean {
  const [, first, second] = block.words;
  if (key.kind === 'fwmark') return first === 'fwmark' && Number(second) === key.fwmark;
  return first !== 'fwmark' && canonicalAddress(first ?? '') === key.address && portOf(second) === key.port && block.protocol === key.protocol.toUpperCase();
}

/** The real servers of the service `key` in `text`, or undefined when it has no such virtual_server. */
export function configuredRealServers(text: string, key: ServiceKey): ConfiguredRealServer[] | undefined {
  const services: Block[] = [];
  const open: string[][] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const [keyword, value] = line.split(/\s+/);
    const service = open[0]?.[0] === 'virtual_server' ? services.at(-1)! : undefined;
    if (line.endsWith('{')) {
      const words = line.slice(0, -1).trim().split(/\s+/);
      open.push(words);
      if (open.length === 1 && words[0] === 'virtual_server') services.push({ words, protocol: 'TCP', servers: [] });
      if (service && open.length === 2 && words[0] === 'real_server') service.servers.push({ address: canonicalAddress(words[1] ?? '') ?? '', port: portOf(words[2]), weight: 1 });
    } else if (line === '}') open.pop();
    else if (service && open.length === 1 && keyword === 'protocol') service.protocol = value?.toUpperCase() ?? '';
    else if (service && open.length === 2 && open[1][0] === 'real_server' && keyword === 'weight') Object.assign(service.servers.at(-1)!, { weight: Number(value), weightLine: index });
  });
  return services.find((service) => sameService(service, key))?.servers;
}

/** `text` with the weight on line `weightLine` set to `weight`, every other byte as it was. */
export function withRealServerWeight(text: string, weightLine: number, weight: number): string {
  const lines = text.split('\n');
  lines[weightLine] = lines[weightLine].replace(/^(\s*weight\s+)\S+/, `$1${weight}`);
  return lines.join('\n');
}
