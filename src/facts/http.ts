/** Responses to repeated HTTP requests, made from the host with curl. */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';

export interface HttpResponse {
  /** The body, or undefined when the request failed. */
  body?: string;
  /** curl's exit code for a failed request (28 is a timeout, 7 a refused connection). */
  curlExit?: number;
}

const MARKER = '@@lvs-response';

/**
 * `count` GET requests, one after the other, each on a new connection (so a load balancer
 * schedules each one). Live: the answer depends on other hosts, so it is never read ahead.
 */
export function httpResponses(url: string, count: number, timeoutSeconds: number): Fact<HttpResponse[]> {
  return {
    command: sh`lvs_i=0; while [ "$lvs_i" -lt ${count} ]; do lvs_i=$((lvs_i + 1)); printf '%s\\n' ${MARKER}; curl -sS --max-time ${timeoutSeconds} -- ${url} || printf '\\n%s %s\\n' ${`${MARKER}-failed`} "$?"; printf '\\n'; done`,
    parse: parseHttpResponses,
    live: true,
  };
}

export function parseHttpResponses(result: CommandResult): HttpResponse[] {
  if (result.exitCode !== 0) throw new Error(`cannot make the requests: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return result.stdout
    .split(`${MARKER}\n`)
    .slice(1)
    .map((chunk) => {
      const failed = new RegExp(`\\n${MARKER}-failed (\\d+)\\n`).exec(`\n${chunk}`);
      return failed ? { curlExit: Number(failed[1]) } : { body: chunk.replace(/\n$/, '') };
    });
}
