#!/usr/bin/env node
/**
 * Starts the benchmark harness (bench/run.ts) straight from its TypeScript sources, the
 * way the tests run (ts-jest, isolatedModules): each .ts file is transpiled in memory when
 * required. Running in place keeps __dirname pointing at the sources, which the lab helper
 * needs to find its init script. Type-checking is `npx tsc --noEmit -p tsconfig.json`.
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

require('./main.ts');
