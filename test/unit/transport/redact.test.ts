import { REDACTED, redact } from '../../../src/transport/redact';

describe('redact', () => {
  it('hides every occurrence of each secret', () => {
    expect(REDACTED).toBe('********');
    expect(redact('sudo -S pw; echo pw; pwd', ['pw'])).toBe('sudo -S ********; echo ********; ********d');
  });

  it('hides the longest secret first, so one that contains another is hidden whole', () => {
    expect(redact('a hunter22 b hunter2 c', ['hunter2', 'hunter22'])).toBe('a ******** b ******** c');
    expect(redact('a hunter22 b', ['hunter22', 'hunter2'])).toBe('a ******** b');
  });

  it('ignores secrets that are not set or empty', () => {
    expect(redact('no secret here', [undefined, ''])).toBe('no secret here');
  });
});
