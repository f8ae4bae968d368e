#!/usr/bin/env node
require('../dist/cli/debug-redaction').hideSecretsFromDebugOutput(process.argv.slice(2));
require('@oclif/core').execute({ dir: __dirname });
