import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventories } from '../../../src/engine/inventory';
import { MAX_HOSTS } from '../../../src/engine/inventory/host-pattern';
import { InputError } from '../../../src/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-inventory-limits-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to `name` in the test's folder and returns the path. */
function write(name: string, text: string, mode = 0o644): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function errorOf(sources: string[]): InputError {
  try {
    loadInventories(sources);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

describe('host ranges are bounded', () => {
  it('refuses a range of a hundred million hosts at its line, before making any name', () => {
    const file = write('range.ini', '[web]\nweb1\nh[1:100000000] rack=r1\n');
    const start = Date.now();
    const heapBefore = process.memoryUsage().heapUsed;
    expect(errorOf([file]).describe()).toBe(`${file}:3:1: h[1:100000000]: host range 'h[1:100000000]' expands to 100000000 hosts: at most ${MAX_HOSTS} hosts in an inventory`);
    expect(Date.now() - start).toBeLessThan(1000);
    expect((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024).toBeLessThan(50);
  });

  it('multiplies the ranges of one pattern before expanding them', () => {
    const file = write('nested.ini', '[web]\nr[1:1000]n[1:1000]\n');
    expect(errorOf([file]).message).toBe(`host range 'r[1:1000]n[1:1000]' expands to 1000000 hosts: at most ${MAX_HOSTS} hosts in an inventory`);
    expect(errorOf([write('steps.ini', '[web]\nh[0:999999999999:2]\n')]).message).toContain('expands to 500000000000 hosts');
  });

  it('refuses the range of a YAML inventory the same way', () => {
    const file = write('range.yml', 'web:\n  hosts:\n    h[1:100000000]:\n      rack: r1\n');
    expect(errorOf([file]).describe()).toBe(
      `${file}:3:5: web.hosts.h[1:100000000]: host range 'h[1:100000000]' expands to 100000000 hosts: at most ${MAX_HOSTS} hosts in an inventory`,
    );
  });

  it('counts every host of the inventory, across patterns and sources, each host once', () => {
    const first = write('a.ini', '[web]\na[1:60000]\n');
    const second = write('b.ini', '[db]\nb[1:30000]\n[edge]\ne[1:20000]\n');
    expect(errorOf([first, second]).describe()).toBe(`${second}:4:1: e[1:20000]: 'e[1:20000]' brings the inventory to 110000 hosts: at most ${MAX_HOSTS}`);
    const again = write('again.ini', '[web]\na[1:60000]\n[tagged]\na[1:60000]\nb[1:40000]\n');
    const inventory = loadInventories([again]);
    expect(inventory.hosts.size).toBe(MAX_HOSTS);
    expect(inventory.groups.get('tagged')!.hosts).toHaveLength(MAX_HOSTS);
  });

  it('gives the hosts of one range the same values once, frozen, so a long list does not cost hosts x items', () => {
    const list = `[${Array.from({ length: 1000 }, (_, index) => index).join(',')}]`;
    const file = write('shared.ini', `[web]\nh[1:${MAX_HOSTS}] items=${list}\n`);
    const start = Date.now();
    const inventory = loadInventories([file]);
    expect(Date.now() - start).toBeLessThan(20_000);
    const first = inventory.hosts.get('h1')!.vars.items as number[];
    expect(first).toHaveLength(1000);
    expect(inventory.hosts.get(`h${MAX_HOSTS}`)!.vars.items).toBe(first);
    expect(() => first.push(1000)).toThrow(TypeError);
    // Each host still has its own record of variables.
    inventory.hosts.get('h1')!.vars.extra = 1;
    expect(inventory.hosts.get('h2')!.vars.extra).toBeUndefined();
  });
});

describe('inventory scripts are refused, not read as INI', () => {
  it('refuses an executable script with a #! line, with exit code 4', () => {
    const file = write('inventory.py', '#!/usr/bin/env python3\nimport json\nprint(json.dumps({"web": {"hosts": ["web1"]}}))\n', 0o755);
    const error = errorOf([file]);
    expect(error.describe()).toBe(`inventory scripts and plugins are not supported: ${file} is executable (lvs reads YAML and INI inventories only)`);
    expect(error.exitCode).toBe(4);
  });

  it('refuses a #! file that is not executable, and one in an inventory directory', () => {
    const file = write('inventory.sh', '#!/bin/sh\necho "{}"\n');
    expect(errorOf([file]).message).toBe(`inventory scripts and plugins are not supported: ${file} starts with #!, as a script does`);
    mkdirSync(join(dir, 'inventory'));
    const script = write('inventory/zz-script', '#!/bin/sh\necho "{}"\n', 0o755);
    write('inventory/hosts.ini', '[web]\nweb1\n');
    expect(errorOf([join(dir, 'inventory')]).message).toBe(`inventory scripts and plugins are not supported: ${script} is executable`);
  });

  it('refuses an executable that does not read as INI, and says what reading it found', () => {
    const file = write('inventory', 'PK zip\u0003\u0004 [web\n', 0o755);
    const error = errorOf([file]);
    expect(error.message).toBe(`inventory scripts and plugins are not supported: ${file} is executable`);
    expect(error.hint).toBe(`lvs reads YAML and INI inventories only, and read as INI it fails: ${file}:1:4: PK: expected key=value host variable assignment, got 'zip\u0003\u0004'`);
  });

  it('reads an executable file that is a good INI or YAML inventory, as Ansible does when running it fails', () => {
    const ini = write('hosts.ini', '[web]\nweb1\n', 0o755);
    const yaml = write('hosts.yml', 'db:\n  hosts:\n    db1:\n', 0o755);
    expect([...loadInventories([ini, yaml]).hosts.keys()]).toEqual(['web1', 'db1']);
  });
});
