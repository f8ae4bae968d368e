/**
 * Where variables were written, so that an error found only once a value is used (a port out
 * of range, a flag that is not a boolean) can name the file and line. A record of variables (a
 * host line, a group_vars file, the -e values) is tied to its positions here without changing
 * the record; a merged record is tied to the records it was merged from, and a position is
 * only worked out when an error asks for it.
 */
import type { SourcePosition } from '../errors';

export type PositionOf = (key: string) => SourcePosition | undefined;

/** For a merged record, the records it was merged from, lowest precedence first. */
const positions = new WeakMap<object, PositionOf | readonly object[]>();

/** Ties `vars` to where its keys were written; returns `vars`. */
export function withPositions<T extends object>(vars: T, positionOf: PositionOf): T {
  positions.set(vars, positionOf);
  return vars;
}

/** Ties `vars` to a position for each key, as a map from key to position. */
export function withPositionMap<T extends object>(vars: T, map: ReadonlyMap<string, SourcePosition>): T {
  return withPositions(vars, (key) => map.get(key));
}

/** `layers` merged, later ones winning, and tied to them so that positions survive the merge. */
export function mergeLayers(layers: readonly Record<string, unknown>[]): Record<string, unknown> {
  const merged = Object.assign({}, ...layers) as Record<string, unknown>;
  // Only the layers that set something can be asked; most hosts of a large inventory have none.
  const setting = layers.filter((layer) => Object.keys(layer).length > 0);
  if (setting.length > 0) positions.set(merged, setting);
  return merged;
}

/**
 * Where `key` was set in records merged lowest first: the last record that holds the key
 * wrote the value. Undefined when that record's positions are not known.
 */
export function positionIn(layers: readonly object[], key: string): SourcePosition | undefined {
  const layer = layers.findLast((candidate) => Object.hasOwn(candidate, key));
  const where = layer === undefined ? undefined : positions.get(layer);
  return typeof where === 'function' ? where(key) : where && positionIn(where, key);
}
