import * as pluginApi from '../../../src/index';
import { ShellCommand, asWord, joinCommands, quote, sh, unshown } from '../../../src/shell/quote';

/** The constructor as a JavaScript plugin sees it: no types in the way. */
const UncheckedShellCommand = ShellCommand as unknown as new (...args: unknown[]) => ShellCommand;

describe('ShellCommand', () => {
  it('cannot be made with new, whatever is passed', () => {
    // @ts-expect-error: the compiler refuses it too
    expect(() => new ShellCommand('rm -rf /')).toThrow(TypeError);
    expect(() => new UncheckedShellCommand('rm -rf /')).toThrow(TypeError);
    expect(() => new UncheckedShellCommand('rm -rf /', 'ls')).toThrow('a ShellCommand is built with sh`...` (from lvs), not with new');
    expect(() => new UncheckedShellCommand(Symbol('ShellCommand'), 'rm -rf /', 'ls')).toThrow(TypeError);
  });

  it('is what sh and joinCommands make', () => {
    expect(sh`true`).toBeInstanceOf(ShellCommand);
    expect(joinCommands([sh`true`, sh`false`], '; ')).toBeInstanceOf(ShellCommand);
  });

  it('reaches plugins as a type only', () => {
    expect(Object.keys(pluginApi)).not.toContain('ShellCommand');
    expect(Object.keys(pluginApi)).toEqual(expect.arrayContaining(['sh', 'quote', 'joinCommands', 'unshown']));
  });
});

describe('quote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(quote('net.ipv4.ip_forward=1')).toBe('net.ipv4.ip_forward=1');
    expect(quote(0)).toBe('0');
    expect(quote('')).toBe("''");
    expect(quote("it's $(id); rm -rf /")).toBe(`'it'\\''s $(id); rm -rf /'`);
    expect(quote('a\nb')).toBe("'a\nb'");
  });
});

describe('sh', () => {
  it('quotes every value and keeps the literal parts', () => {
    const command = sh`sysctl -w ${'kernel.hostname=a b'} && echo ${"x'; reboot #"}`;
    expect(command.text).toBe(`sysctl -w 'kernel.hostname=a b' && echo 'x'\\''; reboot #'`);
    expect(command.shown).toBe(command.text);
    expect(String(command)).toBe(command.text);
  });

  it('makes an array several words and inserts a nested command as it is', () => {
    const command = sh`ip ${['addr', 'add', '10.0.0.1/24']} && ${sh`echo ${'$HOME'}`}`;
    expect(command.text).toBe(`ip addr add 10.0.0.1/24 && echo '$HOME'`);
  });

  it('shows an unshown value as its description, and sends it quoted', () => {
    const command = sh`printf %s ${unshown("c2Vj'cmV0", '6 bytes')} | base64 -d`;
    expect(command.text).toBe(`printf %s 'c2Vj'\\''cmV0' | base64 -d`);
    expect(command.shown).toBe('printf %s <6 bytes> | base64 -d');
  });

  it('quotes a whole command as one word, and shows its shown form quoted', () => {
    const inner = sh`printf %s ${unshown('c2VjcmV0', '6 bytes')} > ${"it's"}`;
    const command = sh`sh -c ${asWord(inner)}`;
    expect(command.text).toBe(`sh -c 'printf %s c2VjcmV0 > '\\''it'\\''\\'\\'''\\''s'\\'''`);
    expect(command.shown).toBe(`sh -c 'printf %s <6 bytes> > '\\''it'\\''\\'\\'''\\''s'\\'''`);
  });
});

describe('joinCommands', () => {
  it('joins text and shown forms with the separator', () => {
    const joined = joinCommands([sh`cd ${'/tmp/a b'}`, sh`printf %s ${unshown('eA==', '1 bytes')}`], ' && ');
    expect(joined.text).toBe(`cd '/tmp/a b' && printf %s eA==`);
    expect(joined.shown).toBe(`cd '/tmp/a b' && printf %s <1 bytes>`);
    expect(joinCommands([sh`a`, sh`b`], '\n').text).toBe('a\nb');
  });
});
