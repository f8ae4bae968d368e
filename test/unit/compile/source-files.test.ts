/**
 * The files() hook: the local files a task copies are found (files/ first, then beside the
 * playbook) and read verbatim while compiling, binary bytes intact, within bounds; a name
 * that finds nothing is an input error at the argument that names it, before any host.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { compileRun } from '../../../src/engine/compile/compile';
import type { TaskUnit } from '../../../src/engine/compile/compiled-run';
import { MAX_SOURCE_BYTES, MAX_SOURCE_ENTRIES, SourceFiles } from '../../../src/engine/compile/source-files';
import { loadInventories } from '../../../src/engine/inventory';
import { loadPlaybook } from '../../../src/engine/playbook';
import { TaskRegistry } from '../../../src/engine/registry';
import { InputErrors } from '../../../src/errors';
import copy from '../../../src/tasks/copy';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-source-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x80, 0x00]);

function write(name: string, content: string | Buffer) {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), content);
}

function compile(yaml: string) {
  write('playbook.yml', yaml);
  const registry = new TaskRegistry();
  registry.register(copy, 'test');
  return compileRun({ playbook: loadPlaybook(join(dir, 'playbook.yml'), registry), inventory: loadInventories(['h1,']), registry, extraVars: {}, tags: [], skipTags: [], check: true, templateDirs: [] });
}

const COPY = (src: string) => `- hosts: all\n  tasks:\n    - name: put it there\n      copy:\n        src: ${src}\n        dest: /etc/x\n`;
const unit = (run: ReturnType<typeof compile>): TaskUnit => {
  const task = run.plays[0].hosts[0].tasks[0];
  if (task.kind !== 'run') throw new Error(`not compiled to run: ${task.kind}`);
  return task.units[0];
};

describe('files() while compiling', () => {
  it('reads a binary file byte for byte into context.files, by the name as given', () => {
    write('files/blob.bin', BINARY);
    const { context } = unit(compile(COPY('blob.bin')));
    expect(Object.keys(context.files)).toEqual(['blob.bin']);
    expect(context.files['blob.bin'].type).toBe('file');
    expect(context.files['blob.bin'].content.equals(BINARY)).toBe(true);
  });

  it('looks in files/ first, then beside the playbook', () => {
    write('files/motd', 'from files/\n');
    write('motd', 'beside\n');
    write('issue', 'beside only\n');
    expect(unit(compile(COPY('motd'))).context.files.motd.content.toString()).toBe('from files/\n');
    expect(unit(compile(COPY('issue'))).context.files.issue.content.toString()).toBe('beside only\n');
  });

  it('reads a directory whole, a directory before what it holds, names sorted, with modes', () => {
    write('files/conf/b.conf', 'b');
    write('files/conf/a/z.conf', 'z');
    const { context } = unit(compile(COPY('conf/')));
    const tree = context.files['conf/'];
    expect(tree.type).toBe('directory');
    expect(tree.entries.map((entry) => [entry.path, entry.type, entry.content.toString()])).toEqual([
      ['a', 'directory', ''],
      ['a/z.conf', 'file', 'z'],
      ['b.conf', 'file', 'b'],
    ]);
    expect(tree.entries[1].mode).toMatch(/^[0-7]{3,4}$/);
  });

  it('a missing file is an input error at src, naming where it looked, before any host', () => {
    try {
      compile(COPY('nope.conf'));
      throw new Error('compiled');
    } catch (error) {
      expect(error).toBeInstanceOf(InputErrors);
      expect((error as InputErrors).errors.map((one) => one.describe().split(dir).join('DIR'))).toEqual([
        "DIR/playbook.yml:5:9: h1: put it there: file 'nope.conf' not found; looked in DIR/files/nope.conf, DIR/nope.conf",
      ]);
    }
  });

  it(`refuses a tree of more than ${MAX_SOURCE_ENTRIES} entries and more than ${MAX_SOURCE_BYTES} bytes`, () => {
    for (let index = 0; index <= MAX_SOURCE_ENTRIES; index += 1) write(`many/f${index}`, '');
    expect(() => new SourceFiles().for([dir]).find('many/')).toThrow(`directory 'many' holds more than the ${MAX_SOURCE_ENTRIES} files and directories a copy takes`);
    write('big/a', Buffer.alloc(MAX_SOURCE_BYTES));
    write('big/b', 'x');
    expect(() => new SourceFiles().for([dir]).find('big')).toThrow(`directory 'big' holds more than the ${MAX_SOURCE_BYTES} bytes a copy takes`);
    expect(() => new SourceFiles().for([dir]).find('big/a')).not.toThrow();
  });

  it('a copied file that holds a secret value hides the task\'s output, as a template holding one does', () => {
    write('files/creds', 'password=hunter2hunter2\n');
    const registry = new TaskRegistry();
    registry.register(copy, 'test');
    write('playbook.yml', COPY('creds'));
    const run = compileRun({
      playbook: loadPlaybook(join(dir, 'playbook.yml'), registry),
      inventory: loadInventories(['h1,']),
      registry,
      extraVars: { db_password: 'hunter2hunter2' },
      tags: [],
      skipTags: [],
      check: true,
      templateDirs: [],
    });
    expect(unit(run).secret).toBe(true);
    expect(unit(compile(COPY('creds'))).secret).toBe(false);
  });
});
