/**
 * The guides' verification step as a task: from a client, request the VIP several times
 * and check which real server answered each request. It changes nothing; it fails when
 * the answers do not follow the expected distribution.
 */
import { createHash } from 'node:crypto';
import { defineTask, noop, type Fact } from '../api';
import { httpResponses, type HttpResponse } from '../facts/http';

interface HttpVerifyArgs {
  url: string;
  servers: string[];
  requests: number;
  expect: 'round_robin' | 'each' | 'only';
  timeout: number;
}

/** Which server a body names: the first of `servers` it contains. */
function answeredBy(response: HttpResponse, servers: string[]): string {
  if (response.body === undefined) return `failed (curl exit ${response.curlExit})`;
  // The page is named by its size and digest, never quoted: it may hold anything, a secret too.
  const digest = createHash('sha256').update(response.body).digest('hex').slice(0, 12);
  return servers.find((server) => response.body!.includes(server)) ?? `an unknown page (${Buffer.byteLength(response.body)} bytes, sha256 ${digest}...)`;
}

function distributionProblem(answers: string[], args: HttpVerifyArgs): string | undefined {
  const strangers = answers.filter((answer) => !args.servers.includes(answer));
  if (strangers.length) return `${strangers.length} of ${answers.length} requests were not answered by ${args.servers.join(' or ')}`;
  if (args.expect === 'only') return undefined;
  const missing = args.servers.filter((server) => !answers.includes(server));
  if (missing.length) return `${missing.join(', ')} never answered`;
  if (args.expect === 'each') return undefined;
  const repeated = answers.findIndex((answer, index) => index > 0 && answer === answers[index - 1]);
  if (args.servers.length > 1 && repeated > 0) return `request ${repeated + 1} went to ${answers[repeated]} again: not round robin`;
  return undefined;
}

export default defineTask<HttpVerifyArgs, { responses: Fact<HttpResponse[]> }>({
  name: 'http_verify',
  description: 'Requests a URL several times from the host and fails unless the pages come from the expected servers in the expected order.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'servers'],
    properties: {
      url: { type: 'string', pattern: '^https?://[^\\s\'"`$\\\\]+$', description: 'The URL to request, usually http://VIP/.' },
      servers: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1, pattern: '^[^\\n]+$' },
        description: 'Text that identifies each server in its page (the shipped index page names its host), e.g. [rs1, rs2].',
      },
      requests: { type: 'integer', minimum: 1, maximum: 100, default: 6, description: 'How many requests to make, one after the other.' },
      expect: {
        type: 'string',
        enum: ['round_robin', 'each', 'only'],
        default: 'round_robin',
        description:
          'round_robin: every server answers and no server answers twice in a row (rr with equal weights); each: every server answers at least once; only: no other server answers (e.g. after draining one).',
      },
      timeout: { type: 'integer', minimum: 1, maximum: 60, default: 5, description: 'Seconds each request may take.' },
    },
  },
  example: { url: 'http://192.168.0.109/', servers: ['rs1', 'rs2'], requests: 6, expect: 'round_robin', timeout: 5 },
  facts: (args) => ({ responses: httpResponses(args.url, args.requests, args.timeout) }),
  plan(args, facts) {
    const answers = facts.responses.map((response) => answeredBy(response, args.servers));
    const sequence = `${answers.length} requests to ${args.url} answered by: ${answers.join(', ')}`;
    const problem = distributionProblem(answers, args);
    if (problem) throw new Error(`${problem} (${sequence})`);
    return noop(`${sequence} (${args.expect.replace('_', ' ')})`);
  },
});
