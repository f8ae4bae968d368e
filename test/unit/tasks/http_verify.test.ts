import type { HttpResponse } from '../../../src/facts/http';
import { parseHttpResponses } from '../../../src/facts/http';
import httpVerify from '../../../src/tasks/http_verify';
import { captured } from '../fixtures/network';
import { argumentProblems, Parsed, planWith } from './plan-with-fixtures';

const pages = (...servers: string[]) => new Parsed<HttpResponse[]>(servers.map((server) => ({ body: `<h1>${server}</h1>\n<p>This page is served by ${server}.</p>\n` })));
const rr = { url: 'http://192.168.0.109/', servers: ['rs1', 'rs2'], requests: 4 };

describe('http responses fact', () => {
  it('splits real curl output into bodies', () => {
    const responses = parseHttpResponses(captured('http-three-responses'));
    expect(responses).toHaveLength(3);
    expect(responses[0].body).toContain('This page is served by rs1.');
  });

  it('keeps curl failures apart from bodies (real output of refused connections)', () => {
    expect(parseHttpResponses(captured('http-refused'))).toEqual([{ curlExit: 7 }, { curlExit: 7 }, { curlExit: 7 }]);
  });
});

describe('http_verify', () => {
  it('passes on alternating pages and says which server answered each request', () => {
    const plan = planWith(httpVerify, rr, { responses: pages('rs2', 'rs1', 'rs2', 'rs1') });
    expect(plan).toEqual({ changes: [], commands: [], noop: '4 requests to http://192.168.0.109/ answered by: rs2, rs1, rs2, rs1 (round robin)' });
  });

  it('fails when one server answers twice in a row', () => {
    expect(() => planWith(httpVerify, rr, { responses: pages('rs1', 'rs1', 'rs2', 'rs1') })).toThrow('request 2 went to rs1 again: not round robin');
  });

  it('fails when a server never answers, or requests fail', () => {
    expect(() => planWith(httpVerify, rr, { responses: pages('rs1', 'rs1', 'rs1', 'rs1') })).toThrow('rs2 never answered');
    const refused = parseHttpResponses(captured('http-refused'));
    expect(() => planWith(httpVerify, { ...rr, requests: 3 }, { responses: new Parsed(refused) })).toThrow(
      '3 of 3 requests were not answered by rs1 or rs2 (3 requests to http://192.168.0.109/ answered by: failed (curl exit 7), failed (curl exit 7), failed (curl exit 7))',
    );
  });

  it('checks a drained server stays out with expect only', () => {
    expect(planWith(httpVerify, { ...rr, servers: ['rs2'], expect: 'only' }, { responses: pages('rs2', 'rs2', 'rs2', 'rs2') }).changes).toEqual([]);
    expect(() => planWith(httpVerify, { ...rr, servers: ['rs2'], expect: 'only' }, { responses: pages('rs2', 'rs1', 'rs2', 'rs2') })).toThrow(/1 of 4 requests were not answered by rs2/);
  });

  it('reads its requests when its turn comes, never ahead', () => {
    expect(httpVerify.facts({ ...rr, expect: 'round_robin', timeout: 5 }, undefined as never).responses.live).toBe(true);
  });

  it.each(["http://x/'; id", 'http://x/$(id)', 'ftp://x/', 'http://x/ y'])('rejects the url %j', (url) => {
    expect(argumentProblems(httpVerify, { url, servers: ['a'] })).toEqual([expect.stringMatching(/^url: does not match/)]);
  });
});
