#!/usr/bin/env node
/**
 * The floor: one `true` on every host at once over ssh2, the client library lvs uses.
 * Nothing can converge a fleet faster than connecting to it, so this is the time a
 * no-op run is compared with. It runs as its own node process (plain JavaScript, no
 * transpiler to load) so its wall time includes the same process start a CLI pays.
 *
 * Usage: node bench/floor.js TARGETS.json
 *   TARGETS.json: [{ "host": "10.199.1.10", "port": 22, "username": "root", "privateKeyFile": "..." }]
 * Prints one JSON line: { hosts, ok, inProcessSeconds, failures }.
 */
const { readFileSync } = require('node:fs');
const { Client } = require('ssh2');

const CONNECT_TIMEOUT_MS = 30_000;

function runTrue(target, privateKey) {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on('ready', () => {
        client.exec('true', (error, stream) => {
          if (error) return reject(error);
          stream.on('close', (code) => {
            client.end();
            if (code === 0) resolve();
            else reject(new Error(`${target.host}: true exited ${code}`));
          });
          stream.resume();
          stream.stderr.resume();
        });
      })
      .on('error', reject)
      .connect({
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey,
        readyTimeout: CONNECT_TIMEOUT_MS,
        // Throwaway hosts: keys are not checked, as for the tools under test.
        hostVerifier: () => true,
      });
  });
}

async function main() {
  const targets = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const keys = new Map();
  const keyOf = (file) => {
    if (!keys.has(file)) keys.set(file, readFileSync(file));
    return keys.get(file);
  };
  const started = process.hrtime.bigint();
  const results = await Promise.allSettled(targets.map((target) => runTrue(target, keyOf(target.privateKeyFile))));
  const inProcessSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const failures = results.filter((result) => result.status === 'rejected').map((result) => String(result.reason.message));
  process.stdout.write(`${JSON.stringify({ hosts: targets.length, ok: targets.length - failures.length, inProcessSeconds, failures })}\n`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 2;
});
