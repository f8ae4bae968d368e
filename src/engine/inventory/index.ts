/** Ansible-compatible inventories: loading, host patterns and connection settings. */
export type { Inventory, InventoryGroup, InventoryHost } from './types';
export { loadInventories } from './load';
export { selectHosts, matchPattern, groupMembers, type PatternMatch } from './patterns';
export { connectionTarget, ansibleBoolean, type ConnectionTarget } from './connection';
export { renderList, renderGraph, renderHost, renderHostList } from './render';
export { limitedHosts, playHosts, NoHostsToTarget, unmatchedWarning } from './targets';
