import { parseKeyValueWords, splitWords } from '../../../src/engine/kv-args';

describe('key=value arguments', () => {
  it('keeps values as strings, with = and spaces inside', () => {
    expect(parseKeyValueWords(['name=net.ipv4.tcp_rmem', 'value=4096 87380 6291456', 'x=a=b'])).toEqual({
      name: 'net.ipv4.tcp_rmem',
      value: '4096 87380 6291456',
      x: 'a=b',
    });
  });
  it('splits free-form lines with quotes', () => {
    expect(splitWords(`name=x value="a b" other='c "d"' empty=""`)).toEqual(['name=x', 'value=a b', 'other=c "d"', 'empty=']);
  });
  it('keeps a template in one word', () => {
    expect(splitWords('name=x value={{ forward }} other="{{ a }} b"')).toEqual(['name=x', 'value={{ forward }}', 'other={{ a }} b']);
  });
  it('rejects words without a key, bad keys and repeats', () => {
    expect(() => parseKeyValueWords(['novalue'])).toThrow("expected key=value, got 'novalue'");
    expect(() => parseKeyValueWords(['$(id)=1'])).toThrow('is not a valid argument name');
    expect(() => parseKeyValueWords(['a=1', 'a=2'])).toThrow("argument 'a' is given twice");
    expect(() => splitWords('a="open')).toThrow('no closing quotation');
  });
});
