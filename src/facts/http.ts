/** Responses to repeated HTTP requests, made from the host with curl. */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';

export interface HttpResponse {
  /** The body, or undefined when the request failed. */
  body?: string;
  /** curl's exit code for a failed request (28 is a timeout, 7 a refused connection). */
  curlExit?: number;
}

const END_MARKER = '@@lvs-response-end';
/** What curl writes after each transfer, failed or not: its exit code for that transfer (curl >= 7.75). */
const END_OF_RESPONSE = new RegExp(`\\n${END_MARKER} (\\d+)\\n`);

/**
 * `count` GET requests, one after the other, each on a new connection (Connection: close,
 * so a load balancer schedules each one), from one curl process: under emulation every
 * process costs a large part of a second, and curl goes on to the next URL after a failed
 * one, with --max-time for each. Live: the answer depends on other hosts, so it is never
 * read ahead.
 */
export function httpResponses(url: string, count: number, timeoutSeconds: number): Fact<HttpResponse[]> {
  const urls = Array.from({ length: count }, () => url);
  return {
    command: sh`curl -sS --max-time ${timeoutSeconds} -H ${'Connection: close'} -w ${`\\n${END_MARKER} %{exitcode}\\n`} -- ${urls}`,
    parse: (result) => parseHttpResponses(result, count),
    live: true,
  };
}

/** curl's own exit code is its last request's, so it says nothing of the others: each request's comes after its body. */
export function parseHttpResponses(result: CommandResult, count: number): HttpResponse[] {
  const parts = result.stdout.split(END_OF_RESPONSE);
  const responses: HttpResponse[] = [];
  for (let index = 0; index + 1 < parts.length; index += 2) {
    const curlExit = Number(parts[index + 1]);
    responses.push(curlExit === 0 ? { body: parts[index] } : { curlExit });
  }
  if (responses.length !== count) {
    const said = result.stderr.trim() || `exit ${result.exitCode}`;
    const tooOld = /unknown --write-out variable/.test(said) ? '; this needs curl 7.75 or later on the host' : '';
    throw new Error(`cannot make the requests: ${responses.length} of ${count} answered (${said})${tooOld}`);
  }
  return responses;
}
