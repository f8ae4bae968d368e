/**
 * An lvs plugin. Its default export is a function that receives the lvs API and returns the
 * task modules it adds, so the plugin runs against whichever lvs loads it; from 'lvs' it
 * imports only types, which the compiler erases.
 */
import type * as Lvs from 'lvs';
import { arpHidden } from './arp-hidden';
import { hostsEntry } from './hosts-entry';

export default (lvs: typeof Lvs) => [hostsEntry(lvs), arpHidden(lvs)];
