/** Ansible's free form: `command: touch /x creates=/x`, split as Ansible's parse_kv(check_raw=True) splits it. */
import type { FreeForm } from '../../../src/api';
import { parseFreeForm } from '../../../src/engine/kv-args';
import { InputError } from '../../../src/errors';

const COMMAND: FreeForm = { argument: 'cmd', options: ['chdir', 'creates', 'removes', 'stdin', 'stdin_add_newline'] };

describe('parseFreeForm', () => {
  it('takes the option words out and leaves the command as written', () => {
    expect(parseFreeForm('touch /x creates=/x chdir=/tmp', COMMAND)).toEqual({ cmd: 'touch /x', creates: '/x', chdir: '/tmp' });
    expect(parseFreeForm('creates=/x touch /x', COMMAND)).toEqual({ cmd: 'touch /x', creates: '/x' });
  });

  it('keeps quotes, spacing and other key=value words of the command itself', () => {
    expect(parseFreeForm(`echo "a  b" 'c d' msg=hello`, COMMAND)).toEqual({ cmd: `echo "a  b" 'c d' msg=hello` });
    expect(parseFreeForm(`echo $(id) ; rm -rf / # "x"`, COMMAND)).toEqual({ cmd: `echo $(id) ; rm -rf / # "x"` });
  });

  it('unquotes an option value, but a quoted word is not an option (as in Ansible)', () => {
    expect(parseFreeForm(`ls chdir="/srv/my dir"`, COMMAND)).toEqual({ cmd: 'ls', chdir: '/srv/my dir' });
    expect(parseFreeForm(`echo 'creates=/x'`, COMMAND)).toEqual({ cmd: `echo 'creates=/x'` });
  });

  it('keeps the lines of a multi-line script', () => {
    expect(parseFreeForm('set -e\necho one\necho two creates=/done\n', COMMAND)).toEqual({ cmd: 'set -e\necho one\necho two', creates: '/done' });
  });

  it('keeps a template whole, spaces and all', () => {
    expect(parseFreeForm('touch {{ dir }}/x creates={{ dir }}/x', COMMAND)).toEqual({ cmd: 'touch {{ dir }}/x', creates: '{{ dir }}/x' });
  });

  it('takes a line whose quotes do not pair as all free form', () => {
    expect(parseFreeForm("cat <<EOF\nit's\nEOF creates=/x", COMMAND)).toEqual({ cmd: "cat <<EOF\nit's\nEOF creates=/x" });
  });

  it('gives no free-form argument for a line of options only, and refuses an option given twice', () => {
    expect(parseFreeForm('creates=/x', COMMAND)).toEqual({ creates: '/x' });
    expect(() => parseFreeForm('touch /x creates=/x creates=/y', COMMAND)).toThrow(new InputError("argument 'creates' is given twice"));
  });
});
