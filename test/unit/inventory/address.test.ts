import { expandHostRanges, parseAddress } from '../../../src/engine/inventory/address';

describe('parseAddress', () => {
  it.each([
    ['web1', { host: 'web1' }],
    ['web1.example.com:2222', { host: 'web1.example.com', port: 2222 }],
    ['10.0.0.5', { host: '10.0.0.5' }],
    ['10.0.0.5:22', { host: '10.0.0.5', port: 22 }],
    ['fe80::1', { host: 'fe80::1' }],
    ['2001:db8::1:22', { host: '2001:db8::1:22' }],
    ['[2001:db8::1]:2222', { host: '2001:db8::1', port: 2222 }],
    ['::ffff:192.168.0.1', { host: '::ffff:192.168.0.1' }],
    ['under_score', { host: 'under_score' }],
  ])('reads %s', (text, expected) => {
    expect(parseAddress(text, false)).toEqual(expected);
  });

  it.each(['bad host', 'web-', 'a..b', '1:2:3', 'web:', '2001:db8::1::2', 'a_', '-web', 'root@web1'])('rejects %s', (text) => {
    expect(parseAddress(text, true)).toBeUndefined();
  });

  it('accepts ranges only when asked to', () => {
    expect(parseAddress('web[01:03].example.com:22', true)).toEqual({ host: 'web[01:03].example.com', port: 22 });
    expect(parseAddress('10.0.0.[1:3]', true)).toEqual({ host: '10.0.0.[1:3]' });
    expect(parseAddress('web[01:03]', false)).toBeUndefined();
  });
});

describe('expandHostRanges', () => {
  it('expands zero-padded, alphabetic, stepped and repeated ranges', () => {
    expect(expandHostRanges('web[01:03].example.com')).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com']);
    expect(expandHostRanges('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostRanges('n[1:9:4]')).toEqual(['n1', 'n5', 'n9']);
    expect(expandHostRanges('r[1:2]c[a:b]')).toEqual(['r1ca', 'r1cb', 'r2ca', 'r2cb']);
    expect(expandHostRanges('h[:2]')).toEqual(['h0', 'h1', 'h2']);
    expect(expandHostRanges('plain')).toEqual(['plain']);
  });

  it.each([
    ['w[3:1]', 'begin <= end'],
    ['w[01:100]', 'equal-length'],
    ['w[1:]', 'end value'],
    ['w[1:2:3:4]', 'begin:end or begin:end:step'],
    ['w[1:5:0]', 'step must be a positive integer'],
    ['w[a:3]', 'numbers or single letters'],
    ['w[1:2', 'unclosed'],
  ])('refuses %s', (pattern, message) => {
    expect(() => expandHostRanges(pattern)).toThrow(message);
  });
});
