/**
 * Where ipvs_member reads and sets a real server's weight, by what owns the IPVS table.
 * ipvsadm: the table itself, with `ipvsadm -e`. keepalived: the weight line of the server in
 * keepalived.conf, written and then applied by a reload, since keepalived sets the weight of
 * its config whenever it puts a server back (its check recovering) and at every reload: a
 * weight set with ipvsadm -e behind its back would not stay.
 */
import { createHash } from 'node:crypto';
import type { PlannedCommand } from '../api';
import type { RemoteFile } from '../facts/file';
import { realServerLabel, realServerRuleArgv, type RealServer, type ServiceKey, type VirtualService } from '../facts/ipvs';
import type { InitSystem } from '../facts/service';
import { configuredRealServers, withRealServerWeight } from '../keepalived/real-server-weight';
import { KEEPALIVED_CONFIG, reloadKeepalived, writeKeepalivedConfig } from '../keepalived/host';
import { sh } from '../shell/quote';
import { WEIGHT_WAIT_SECONDS, weightWaitCommand } from './ipvs-weight-wait';

export interface MemberWeight {
  /** The weight that counts: the table's under ipvsadm, keepalived.conf's under keepalived. */
  weight: number;
  /** The weights that count of the service's other real servers, for min_pooled. */
  others: number[];
  /** What the change names. */
  subject: string;
  /** The no-op's words for the weight: `has weight 0`, `has weight 0 in /etc/...`. */
  state: string;
  /** The commands that set each weight in turn, one list per weight. */
  steps(weights: number[]): PlannedCommand[][];
  /** With the weight right where it counts but not yet in the table: the wait for it. */
  pending?: PlannedCommand;
}

/** The service and server as the plan found them, `member` the server's entry in the table. */
export interface MemberAt {
  key: ServiceKey;
  service: VirtualService;
  server: Pick<RealServer, 'family' | 'address' | 'port'>;
  member?: RealServer;
  /** `-t 192.168.0.109:80` */
  serviceText: string;
  /** `172.16.100.101:80` */
  serverText: string;
}

export function ipvsadmWeight(at: MemberAt): MemberWeight {
  const { key, service, member } = at;
  if (!member) {
    const known = service.realServers.map(realServerLabel).join(', ') || 'none';
    throw new Error(`${at.serverText} is not a real server of ${at.serviceText} (its real servers: ${known}); ipvs_member changes a weight, the ipvsadm task adds servers`);
  }
  return {
    weight: member.weight,
    others: service.realServers.filter((other) => other !== member).map((other) => other.weight),
    subject: `${at.serviceText} -r ${at.serverText} weight`,
    state: `has weight ${member.weight}`,
    steps: (weights) => weights.map((weight) => [{ run: sh`ipvsadm ${realServerRuleArgv(key, { ...member, weight }, '-e')}` }]),
  };
}

/** What a file holding `content` reads as, for the compare and swap of the write after it. */
function asWritten(content: string): Pick<RemoteFile, 'exists' | 'sha256'> {
  return { exists: true, sha256: createHash('sha256').update(content, 'utf8').digest('hex') };
}

export function keepalivedWeight(at: MemberAt, config: RemoteFile, init: InitSystem): MemberWeight {
  const { serviceText, serverText } = at;
  if (!config.exists) throw new Error(`${KEEPALIVED_CONFIG} is not there, so keepalived keeps no ${serviceText} (the keepalived task declares it)`);
  const servers = configuredRealServers(config.content, at.key);
  if (!servers) throw new Error(`${serviceText} is not a virtual_server in ${KEEPALIVED_CONFIG} (the keepalived task declares it)`);
  const configured = servers.find((server) => server.address === at.server.address && server.port === at.server.port);
  if (!configured) {
    const known = servers.map((server) => realServerLabel({ family: at.server.family, ...server })).join(', ') || 'none';
    throw new Error(`${serverText} is not a real_server of ${serviceText} in ${KEEPALIVED_CONFIG} (its real servers there: ${known}); the keepalived task declares it`);
  }
  const line = configured.weightLine;
  if (line === undefined) throw new Error(`the real_server ${serverText} of ${serviceText} in ${KEEPALIVED_CONFIG} has no weight line to change (the keepalived task writes one)`);
  const wait = (weight: number): PlannedCommand => ({ run: weightWaitCommand(at.key, serverText, weight, `${serverText} of ${serviceText}`), waitsUpTo: WEIGHT_WAIT_SECONDS + 5 });
  const inTable = at.member === undefined ? ", not in the IPVS table (keepalived's health check took it out)" : '';
  return {
    weight: configured.weight,
    others: servers.filter((server) => server !== configured).map((server) => server.weight),
    subject: `${KEEPALIVED_CONFIG}: ${serviceText} -r ${serverText} weight`,
    state: `has weight ${configured.weight} in ${KEEPALIVED_CONFIG}${inTable}`,
    steps(weights) {
      let content = config.content;
      let readAs: Pick<RemoteFile, 'exists' | 'sha256'> = config;
      return weights.map((weight) => {
        const previous = readAs;
        content = withRealServerWeight(content, line, weight);
        readAs = asWritten(content);
        return [{ run: writeKeepalivedConfig(content, previous) }, { run: reloadKeepalived(init) }, wait(weight)];
      });
    },
    ...(at.member && at.member.weight !== configured.weight ? { pending: wait(configured.weight) } : {}),
  };
}
