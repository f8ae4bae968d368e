/**
 * Debian's version ordering (deb-version(7)): [epoch:]upstream[-revision], compared epoch
 * first, then each part alternating non-digit runs (letters before other characters, `~`
 * before everything, even the end) and digit runs compared as numbers.
 */

function order(character: string | undefined): number {
  if (character === undefined) return 0;
  if (character === '~') return -1;
  if (/[A-Za-z]/.test(character)) return character.charCodeAt(0);
  return character.charCodeAt(0) + 256;
}

function comparePart(left: string, right: string): number {
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    while ((i < left.length && !/[0-9]/.test(left[i])) || (j < right.length && !/[0-9]/.test(right[j]))) {
      const a = i < left.length && !/[0-9]/.test(left[i]) ? left[i] : undefined;
      const b = j < right.length && !/[0-9]/.test(right[j]) ? right[j] : undefined;
      const difference = order(a) - order(b);
      if (difference !== 0) return Math.sign(difference);
      if (a !== undefined) i++;
      if (b !== undefined) j++;
    }
    const digitsA = /^[0-9]*/.exec(left.slice(i))![0];
    const digitsB = /^[0-9]*/.exec(right.slice(j))![0];
    i += digitsA.length;
    j += digitsB.length;
    const difference = BigInt(digitsA || '0') - BigInt(digitsB || '0');
    if (difference !== 0n) return difference > 0n ? 1 : -1;
  }
  return 0;
}

function split(version: string): [bigint, string, string] {
  const colon = version.indexOf(':');
  const epoch = colon > 0 ? BigInt(version.slice(0, colon)) : 0n;
  const rest = colon > 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ''];
}

/** Negative when `left` is older than `right`, 0 when equal, positive when newer. */
export function compareDebianVersions(left: string, right: string): number {
  const [epochA, upstreamA, revisionA] = split(left);
  const [epochB, upstreamB, revisionB] = split(right);
  if (epochA !== epochB) return epochA > epochB ? 1 : -1;
  return comparePart(upstreamA, upstreamB) || comparePart(revisionA, revisionB);
}
