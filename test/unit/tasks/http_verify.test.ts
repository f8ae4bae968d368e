import type { HttpResponse } from '../../../src/facts/http';
import { httpResponses, parseHttpResponses } from '../../../src/facts/http';
import httpVerify from '../../../src/tasks/http_verify';
import { captured } from '../fixtures/network';
import { argumentProblems, Parsed, planWith } from './plan-with-fixtures';

const pages = (...servers: string[]) => new Parsed<HttpResponse[]>(servers.map((server) => ({ body: `<h1>${server}</h1>\n<p>This page is served by ${server}.</p>\n` })));
const rr = { url: 'http://192.168.0.109/', servers: ['rs1', 'rs2'], requests: 4 };

describe('http responses fact', () => {
  it('splits real curl output into bodies, each exactly as served', () => {
    const responses = parseHttpResponses(captured('http-three-responses'), 3);
    expect(responses).toEqual(Array(3).fill({ body: '<h1>rs1</h1>\n<p>This page is served by rs1.</p>\n' }));
  });

  it('keeps curl failures apart from bodies, a failed last request too (real output)', () => {
    expect(parseHttpResponses(captured('http-refused-and-raw'), 3)).toEqual([{ curlExit: 7 }, { body: 'no final newline' }, { curlExit: 7 }]);
  });

  it('fails when curl did not make every request, with what it said', () => {
    expect(() => parseHttpResponses({ stdout: '', stderr: 'sh: 1: curl: not found\n', exitCode: 127 }, 3)).toThrow('cannot make the requests: 0 of 3 answered (sh: 1: curl: not found)');
    // curl before 7.75 (Debian 11's 7.74) has no %{exitcode}: it writes the marker without one and says so, as curl
    // 7.88 says it of any unknown variable.
    const older = { stdout: '<p>rs1</p>\n\n@@lvs-response-end \n', stderr: "curl: unknown --write-out variable: 'exitcode'\n", exitCode: 0 };
    expect(() => parseHttpResponses(older, 1)).toThrow(/0 of 1 answered \(curl: unknown --write-out variable: 'exitcode'\); this needs curl 7\.75 or later on the host$/);
  });

  it('asks for every request on its own connection, from one curl', () => {
    const { command } = httpResponses('http://192.168.0.109/', 2, 5);
    expect(command.text).toBe("curl -sS --max-time 5 -H 'Connection: close' -w '\\n@@lvs-response-end %{exitcode}\\n' -- http://192.168.0.109/ http://192.168.0.109/");
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
    const refused = parseHttpResponses(captured('http-refused-and-raw'), 3);
    expect(() => planWith(httpVerify, { ...rr, requests: 3 }, { responses: new Parsed(refused) })).toThrow(
      /^3 of 3 requests were not answered by rs1 or rs2 \(3 requests to http:\/\/192.168.0.109\/ answered by: failed \(curl exit 7\), an unknown page \(16 bytes, sha256 [0-9a-f]{12}\.\.\.\), failed \(curl exit 7\)\)$/,
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
