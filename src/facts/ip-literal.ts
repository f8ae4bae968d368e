/**
 * The minimum of IP address handling the ipvsadm task needs: parse a literal and print it
 * the way inet_ntop(3) does, which is how ipvsadm -S -n prints addresses, so desired and
 * live addresses compare as strings. (To be merged with the shared address helpers.)
 */

export type IpFamily = 4 | 6;

export interface IpLiteral {
  family: IpFamily;
  /** inet_ntop's form: dotted decimal, or RFC 5952 lowercase IPv6 with glibc's IPv4 tails. */
  canonical: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function ipv4Words(text: string): number[] | undefined {
  if (!IPV4.test(text)) return undefined;
  const bytes = text.split('.').map(Number);
  return [(bytes[0] << 8) | bytes[1], (bytes[2] << 8) | bytes[3]];
}

function parseIpv6Words(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  const parseSide = (side: string): number[] | undefined => {
    if (side === '') return [];
    const words: number[] = [];
    const groups = side.split(':');
    for (const [index, group] of groups.entries()) {
      if (index === groups.length - 1 && group.includes('.')) {
        const tail = ipv4Words(group);
        if (!tail) return undefined;
        words.push(...tail);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
        words.push(parseInt(group, 16));
      } else {
        return undefined;
      }
    }
    return words;
  };
  const [headText, tailText] = text.split('::');
  const head = parseSide(headText);
  if (!head) return undefined;
  if (tailText === undefined) return head.length === 8 ? head : undefined;
  const tail = parseSide(tailText);
  if (!tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** glibc's inet_ntop6: the longest run of two or more zero words becomes "::". */
function formatIpv6(words: number[]): string {
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; ) {
    if (words[start] !== 0) {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && words[end] === 0) end += 1;
    if (end - start > best.length) best = { start, length: end - start };
    start = end;
  }
  if (best.length < 2) best = { start: -1, length: 0 };
  // glibc prints IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) tails dotted.
  const dottedTail = best.start === 0 && (best.length === 6 || (best.length === 5 && words[5] === 0xffff));
  const parts: string[] = [];
  for (let index = 0; index < 8; index += 1) {
    if (index === best.start) {
      parts.push(index === 0 ? ':' : '');
      index += best.length - 1;
      if (index === 7) parts.push('');
      continue;
    }
    if (index === 6 && dottedTail) {
      parts.push(`${words[6] >> 8}.${words[6] & 0xff}.${words[7] >> 8}.${words[7] & 0xff}`);
      break;
    }
    parts.push(words[index].toString(16));
  }
  return parts.join(':');
}

/** Parses an IPv4 or IPv6 literal (no brackets, no zone); undefined when it is neither. */
export function parseIpLiteral(text: string): IpLiteral | undefined {
  if (IPV4.test(text)) return { family: 4, canonical: text };
  const words = parseIpv6Words(text);
  return words ? { family: 6, canonical: formatIpv6(words) } : undefined;
}
