/**
 * keepalived.conf as the keepalived task renders it: each directive written out literally,
 * hostile strings quoted or refused by the schema. What keepalived 2.2.7's parser accepts
 * was tried with `keepalived -t` and its `-d` dump (see render-config.ts); the last case
 * runs `keepalived -t` on a rendered virtual_server with every quoted character in it.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import keepalived from '../../../src/tasks/keepalived';
import { AUTH_PASS_SHOWN, hidePasswords, renderKeepalivedConfig, type KeepalivedConfigArgs } from '../../../src/keepalived/render-config';
import { acceptedArguments, argumentProblems } from '../tasks/plan-with-fixtures';

const render = (input: Record<string, unknown>, authPass?: string) => {
  const args = acceptedArguments(keepalived, input) as unknown as KeepalivedConfigArgs;
  return authPass === undefined ? renderKeepalivedConfig(args) : renderKeepalivedConfig(args, authPass);
};

const INSTANCE = { name: 'VI_1', interface: 'eth0', virtual_router_id: 51, priority: 150, virtual_ipaddresses: [{ address: '192.168.2.100/24' }] };
const SERVICE = { address: '192.168.2.100', port: 80, real_servers: [{ address: '192.168.2.11' }] };
const HEADER = '# Written by lvs (the keepalived task); changes made here are replaced.\n';

describe('renderKeepalivedConfig', () => {
  it('a VRRP instance with the defaults: BACKUP, advert_int 1, the VIP on the instance interface', () => {
    expect(render({ vrrp_instances: [INSTANCE] })).toBe(
      `${HEADER}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.168.2.100/24
    }
}
`,
    );
  });

  it('every instance directive: MASTER, nopreempt and preempt_delay (BACKUP), garp_master_delay, the password block one keyword a line, dev and label', () => {
    const instance = {
      ...INSTANCE,
      state: 'BACKUP',
      advert_int: 2,
      nopreempt: true,
      preempt_delay: 30,
      garp_master_delay: 0,
      virtual_ipaddresses: [{ address: '192.168.2.100/24', dev: 'eth0', label: 'eth0:0' }, { address: '2001:DB8:0::1/64' }],
    };
    expect(render({ vrrp_instances: [instance], auth_pass: 'secret1', router_id: 'dir1' })).toBe(
      `${HEADER}
global_defs {
    router_id "dir1"
}

vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 2
    nopreempt
    preempt_delay 30
    garp_master_delay 0
    authentication {
        auth_type PASS
        auth_pass "secret1"
    }
    virtual_ipaddress {
        192.168.2.100/24 dev eth0 label eth0:0
        2001:db8::1/64
    }
}
`,
    );
  });

  it('the diff form shows a marker instead of the password; hidePasswords does the same to a file read from a host', () => {
    const shown = render({ vrrp_instances: [INSTANCE], auth_pass: 'secret1' }, AUTH_PASS_SHOWN);
    expect(shown).toContain(`        auth_pass "${AUTH_PASS_SHOWN}"\n`);
    expect(shown).not.toContain('secret1');
    expect(hidePasswords(render({ vrrp_instances: [INSTANCE], auth_pass: 'secret1' }))).toBe(shown.replace(`"${AUTH_PASS_SHOWN}"`, AUTH_PASS_SHOWN));
    expect(hidePasswords('vrrp_instance X {\n    authentication {\n        auth_pass hunter2 # x\n    }\n}\n')).toBe(`vrrp_instance X {\n    authentication {\n        auth_pass ${AUTH_PASS_SHOWN}\n    }\n}\n`);
  });

  it('the sync daemon in global_defs, with the instance it follows and its id', () => {
    const config = render({ vrrp_instances: [INSTANCE], lvs_sync_daemon: { interface: 'eth1', instance: 'VI_1', sync_id: 7 } });
    expect(config).toContain('global_defs {\n    lvs_sync_daemon eth1 VI_1 id 7\n}\n');
    expect(render({ vrrp_instances: [INSTANCE], lvs_sync_daemon: { interface: 'eth0' } })).toContain('global_defs {\n    lvs_sync_daemon eth0\n}\n');
  });

  it('a virtual server: scheduler, protocol, persistence, quorum, inhibit_on_failure, sorry server, real servers with the service check or their own', () => {
    const service = {
      protocol: 'udp',
      address: '192.168.2.100',
      port: 53,
      scheduler: 'wlc',
      persistent: 300,
      quorum: 2,
      inhibit_on_failure: true,
      sorry_server: { address: '192.168.2.50' },
      health_check: { type: 'HTTP_GET', connect_timeout: 2, delay_loop: 2, retry: 2, delay_before_retry: 1 },
      real_servers: [
        { address: '192.168.2.11', weight: 0 },
        { address: '192.168.2.12', forwarding: 'dr', weight: 3, health_check: { type: 'TCP_CHECK', connect_timeout: 1 } },
      ],
    };
    expect(render({ virtual_servers: [service] })).toBe(
      `${HEADER}
virtual_server 192.168.2.100 53 {
    lvs_sched wlc
    protocol UDP
    persistence_timeout 300
    quorum 2
    inhibit_on_failure
    sorry_server 192.168.2.50 53
    sorry_server_lvs_method DR
    real_server 192.168.2.11 53 {
        weight 0
        lvs_method DR
        HTTP_GET {
            url {
                path "/"
                status_code 200
            }
            connect_timeout 2
            retry 2
            delay_before_retry 1
            delay_loop 2
        }
    }
    real_server 192.168.2.12 53 {
        weight 3
        lvs_method DR
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`,
    );
  });

  it('a fwmark service has no protocol line; its real servers keep their own port, NAT ones a mapped one', () => {
    const config = render({
      virtual_servers: [{ fwmark: 7, real_servers: [{ address: '10.0.0.1', forwarding: 'tun' }, { address: '10.0.0.2', forwarding: 'nat', port: 8080 }] }],
    });
    expect(config).toBe(
      `${HEADER}
virtual_server fwmark 7 {
    lvs_sched wlc
    real_server 10.0.0.1 {
        weight 1
        lvs_method TUN
    }
    real_server 10.0.0.2 8080 {
        weight 1
        lvs_method NAT
    }
}
`,
    );
  });

  it('quotes what keepalived would otherwise end a word at (# ! { } and a single quote) in a path and a password', () => {
    const config = render({
      auth_pass: "a#{b}!'c",
      vrrp_instances: [INSTANCE],
      virtual_servers: [{ ...SERVICE, health_check: { type: 'HTTP_GET', path: "/x#y{z}!'$(id);" } }],
    });
    expect(config).toContain(`        auth_pass "a#{b}!'c"\n`);
    expect(config).toContain(`                path "/x#y{z}!'$(id);"\n`);
  });

  it.each([
    ['auth_pass', { auth_pass: 'a"b' }],
    ['auth_pass', { auth_pass: 'a\\b' }],
    ['auth_pass', { auth_pass: 'a\nb' }],
    ['auth_pass', { auth_pass: '123456789' }],
    ['auth_pass', { auth_pass: '' }],
    ['virtual_servers.0.health_check.path', { virtual_servers: [{ ...SERVICE, health_check: { type: 'HTTP_GET', path: '/a"b' } }] }],
    ['virtual_servers.0.health_check.path', { virtual_servers: [{ ...SERVICE, health_check: { type: 'HTTP_GET', path: '/a\nb' } }] }],
    ['virtual_servers.0.health_check.path', { virtual_servers: [{ ...SERVICE, health_check: { type: 'HTTP_GET', path: '/a b' } }] }],
    ['virtual_servers.0.health_check.path', { virtual_servers: [{ ...SERVICE, health_check: { type: 'HTTP_GET', path: 'x}' } }] }],
    ['vrrp_instances.0.name', { vrrp_instances: [{ ...INSTANCE, name: 'VI_1 {' }] }],
    ['vrrp_instances.0.interface', { vrrp_instances: [{ ...INSTANCE, interface: 'eth0}' }] }],
    ['vrrp_instances.0.virtual_ipaddresses.0.label', { vrrp_instances: [{ ...INSTANCE, virtual_ipaddresses: [{ address: '192.168.2.100/24', label: 'eth0:0 }' }] }] }],
    ['router_id', { router_id: 'a"b', vrrp_instances: [INSTANCE] }],
  ])('refuses a hostile %s before any host is touched', (key, input) => {
    const problems = argumentProblems(keepalived, { vrrp_instances: [INSTANCE], ...input });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.startsWith(`${key}: `))).toBe(true);
  });

  it('keepalived -t accepts the rendered virtual server with the quoted hostile path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvs-keepalived-render-'));
    try {
      const file = join(dir, 'keepalived.conf');
      writeFileSync(file, render({ virtual_servers: [{ ...SERVICE, health_check: { type: 'HTTP_GET', path: "/x#y{z}!'$(id);" } }] }));
      // Throws on a non-zero exit, with keepalived's messages.
      expect(execFileSync('keepalived', ['-t', '-f', file], { encoding: 'utf8', stdio: 'pipe' })).toBe('');
      writeFileSync(file, 'virtual_server 192.168.2.100 80 {\n    real_server 192.168.2.11 80 {\n        HTTP_GET {\n            url {\n                path /x}\n');
      expect(() => execFileSync('keepalived', ['-t', '-f', file], { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
