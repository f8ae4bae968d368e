import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseExtraVars } from '../../../src/cli/run-options';
import { loadInventories } from '../../../src/engine/inventory';
import { loadPlaybook } from '../../../src/engine/playbook';
import { createRegistry } from '../../../src/engine/registry';
import { loadVarsFiles } from '../../../src/engine/variables';
import { loadYamlSource, MAX_ALIASES, MAX_ALIAS_EXPANSION, MAX_YAML_BYTES, parseYamlSource } from '../../../src/engine/yaml-source';
import { InputError } from '../../../src/errors';

/** Nine levels of nine aliases: 9^9 = 387 420 489 "lol"s once expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[index]}`).join(',')}]`),
  '',
].join('\n');

/** The InputError that `action` throws, as describe() prints it. */
function inputErrorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error.describe();
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

/** Runs `action` and says how long it took and how much the heap grew. */
function measure(action: () => void): { ms: number; heapMb: number } {
  const heapBefore = process.memoryUsage().heapUsed;
  const start = Date.now();
  action();
  return { ms: Date.now() - start, heapMb: (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024 };
}

describe('YAML that would exhaust the controller is refused at its line', () => {
  it('refuses a billion laughs bomb at the alias that crosses the limit, at once', () => {
    // What escaped before: the yaml package's own guard, a ReferenceError that names no file.
    expect(() => parseDocument(BILLION_LAUGHS).toJS()).toThrow(ReferenceError);
    let message = '';
    const cost = measure(() => {
      message = inputErrorOf(() => parseYamlSource(BILLION_LAUGHS, 'bomb.yml'));
    });
    // g's first *f brings the expanded values past the limit: 74 718 from b to e, 9 x 66 430 from f, then 597 871.
    expect(message).toBe(`bomb.yml:7:8: too many aliases: they expand to more than ${MAX_ALIAS_EXPANSION} values, at most ${MAX_ALIAS_EXPANSION}`);
    expect(cost.ms).toBeLessThan(1000);
    expect(cost.heapMb).toBeLessThan(50);
  });

  it('counts what every alias adds, which the per-anchor limit of the yaml package underestimates', () => {
    // Two chains of two levels of 99 aliases: each passes the package's limit of 10 000, yet each adds 990 099 values.
    const chains = [0, 1].map((chain) => {
      const wide = (item: string) => `[${Array(99).fill(item).join(',')}]`;
      return [`c${chain}l0: &c${chain}l0 ${wide('x')}`, `c${chain}l1: &c${chain}l1 ${wide(`*c${chain}l0`)}`, `c${chain}l2: &c${chain}l2 ${wide(`*c${chain}l1`)}`].join('\n');
    });
    const text = `${chains.join('\n')}\n`;
    expect(() => parseDocument(text).toJS({ maxAliasCount: 10_000 })).not.toThrow();
    expect(inputErrorOf(() => parseYamlSource(text, 'chains.yml'))).toMatch(/^chains\.yml:6:\d+: too many aliases: they expand to more than 1000000 values/);
  });

  it('refuses more aliases than the limit before resolving any (the yaml package takes n² for n aliases)', () => {
    const text = `a: &a 1\nb:\n${'  - *a\n'.repeat(MAX_ALIASES + 1)}`;
    let message = '';
    const cost = measure(() => {
      message = inputErrorOf(() => parseYamlSource(text, 'many.yml'));
    });
    expect(message).toBe(`many.yml:${3 + MAX_ALIASES}:5: too many aliases: at most ${MAX_ALIASES} in one file`);
    expect(cost.ms).toBeLessThan(3000);
  });

  it('reads files with as many aliases as real files use', () => {
    const defaults = Array.from({ length: 20 }, (_, index) => `    key${index}: value${index}`).join('\n');
    const hosts = Array.from({ length: 1000 }, (_, index) => `    web${index}:\n      <<: *defaults\n      rack: r${index % 10}`).join('\n');
    const source = parseYamlSource(`defaults: &defaults\n${defaults}\nweb:\n  hosts:\n${hosts}\n`, 'inventory.yml');
    const data = source.data as { web: { hosts: Record<string, Record<string, string>> } };
    expect(Object.keys(data.web.hosts)).toHaveLength(1000);
    expect(data.web.hosts.web999).toMatchObject({ key0: 'value0', key19: 'value19', rack: 'r9' });
  });

  it('refuses an alias inside the value it stands for, and an alias without anchor, naming line and column', () => {
    expect(inputErrorOf(() => parseYamlSource('a: &a [1, *a]\n', 'loop.yml'))).toBe('loop.yml:1:11: alias *a is inside the value it stands for, so that value would never end');
    expect(inputErrorOf(() => parseYamlSource('a: 1\nb: *nope\n', 'lost.yml'))).toBe('lost.yml:2:4: alias *nope has no anchor &nope before it (YAML syntax error)');
  });

  it('reports nesting too deep for the parser as an input error', () => {
    expect(inputErrorOf(() => parseYamlSource(`a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, 'deep.yml'))).toMatch(/^deep\.yml:\d+:\d+: .*\(YAML syntax error\)$/);
  });

  it('locates what an alias stands for, as the key of the anchored value', () => {
    const source = parseYamlSource('defaults: &defaults\n  port: 22\nweb:\n  hosts:\n    web1: *defaults\n', 'aliases.yml', { maps: true });
    expect(source.locate(['web', 'hosts', 'web1', 'port'])).toEqual({ file: 'aliases.yml', line: 2, column: 3 });
  });

  it('resolves an alias to the latest anchor of its name, as YAML says', () => {
    expect(parseYamlSource('a: &x [&x 5, *x]\nb: &y [1]\nc: &y [2, 3]\nd: *y\n', 'anchors.yml').data).toEqual({ a: [5, 5], b: [1], c: [2, 3], d: [2, 3] });
  });

  it('refuses duplicate keys, in block and flow maps, but not repeated merge keys', () => {
    expect(inputErrorOf(() => parseYamlSource('a: 1\nb: 2\na: 3\n', 'dup.yml'))).toBe('dup.yml:3:1: Map keys must be unique (YAML syntax error)');
    expect(inputErrorOf(() => parseYamlSource('m: {x: 1, x: 2}\n', 'dup.yml'))).toBe('dup.yml:1:11: Map keys must be unique (YAML syntax error)');
    expect(parseYamlSource('1: a\n"1": b\n', 'types.yml').data).toEqual({ 1: 'b' });
    const merged = parseYamlSource('a: &a {x: 1}\nb: &b {z: 2}\nc:\n  <<: *a\n  <<: *b\n', 'merge.yml').data;
    expect(merged).toEqual({ a: { x: 1 }, b: { z: 2 }, c: { x: 1, z: 2 } });
  });

  it('finds the position of every host of a large group without a search per host', () => {
    const hosts = Array.from({ length: 20_000 }, (_, index) => `    web${index}:\n      ansible_host: 10.0.${index >> 8}.${index & 255}`).join('\n');
    const cost = measure(() => {
      const source = parseYamlSource(`web:\n  hosts:\n${hosts}\n`, 'big.yml', { maps: true });
      for (let index = 0; index < 20_000; index += 1) source.locate(['web', 'hosts', `web${index}`, 'ansible_host']);
      expect(source.locate(['web', 'hosts', 'web19999', 'ansible_host'])).toEqual({ file: 'big.yml', line: 3 + 2 * 19_999 + 1, column: 7 });
    });
    expect(cost.ms).toBeLessThan(10_000);
  });

  it('refuses a YAML document larger than the limit before parsing it', () => {
    const text = `a: "${'x'.repeat(MAX_YAML_BYTES)}"\n`;
    const cost = measure(() => {
      expect(inputErrorOf(() => parseYamlSource(text, 'huge.yml'))).toMatch(/^huge\.yml: the YAML document is larger than 2 MiB, the most lvs reads/);
    });
    expect(cost.ms).toBeLessThan(1000);
  });

  it('reads no more of an endless file than the limit', () => {
    const cost = measure(() => {
      expect(inputErrorOf(() => loadYamlSource('/dev/zero'))).toBe('/dev/zero: the file is larger than 16 MiB, the most lvs reads of an input file');
      expect(inputErrorOf(() => loadInventories(['/dev/zero']))).toBe('/dev/zero: the file is larger than 16 MiB, the most lvs reads of an input file');
    });
    expect(cost.ms).toBeLessThan(2000);
  });

  describe('whichever file holds it', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'lvs-yaml-limits-'));
      writeFileSync(join(dir, 'bomb.yml'), BILLION_LAUGHS);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const bombAt = (file: string, line = 7, column = 8) => `${file}:${line}:${column}: too many aliases: they expand to more than ${MAX_ALIAS_EXPANSION} values, at most ${MAX_ALIAS_EXPANSION}`;

    it('a vars_files file', () => {
      expect(inputErrorOf(() => loadVarsFiles(['bomb.yml'], dir))).toBe(bombAt(join(dir, 'bomb.yml')));
    });

    it('-e @file', () => {
      expect(inputErrorOf(() => parseExtraVars([`@${join(dir, 'bomb.yml')}`]))).toBe(bombAt(join(dir, 'bomb.yml')));
    });

    it('a playbook', () => {
      const indented = BILLION_LAUGHS.split('\n').map((line) => (line ? `    ${line}` : line));
      writeFileSync(join(dir, 'play.yml'), ['- hosts: all', '  vars:', ...indented, '  tasks: []', ''].join('\n'));
      expect(inputErrorOf(() => loadPlaybook(join(dir, 'play.yml'), createRegistry({ projectDir: dir })))).toBe(bombAt(join(dir, 'play.yml'), 9, 12));
    });

    it('an inventory, and a group_vars file next to it', () => {
      const inventory = join(dir, 'inventory');
      mkdirSync(join(inventory, 'group_vars'), { recursive: true });
      writeFileSync(join(inventory, 'hosts.yml'), `web:\n  hosts:\n    web1:\n  vars:\n${BILLION_LAUGHS.split('\n').map((line) => `    ${line}`).join('\n')}\n`);
      expect(inputErrorOf(() => loadInventories([inventory]))).toBe(bombAt(join(inventory, 'hosts.yml'), 11, 12));
      writeFileSync(join(inventory, 'hosts.yml'), 'web:\n  hosts:\n    web1:\n');
      writeFileSync(join(inventory, 'group_vars', 'web.yml'), BILLION_LAUGHS);
      expect(inputErrorOf(() => loadInventories([inventory]))).toBe(bombAt(join(inventory, 'group_vars', 'web.yml')));
    });
  });
});
