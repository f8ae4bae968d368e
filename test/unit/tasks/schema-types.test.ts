/**
 * A schema that does not match its Args is a TypeScript error: the compiler itself is run on
 * a plugin's source with one mistake per declaration, and must report exactly the marked
 * lines (and nothing on the schema that matches).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const API = resolve(__dirname, '..', '..', '..', 'src', 'api');

/** Each declaration after the first holds one mistake, on the line marked `// error: what the compiler says`. */
const source = `
import { defineTask, noop, type TaskSchema } from ${JSON.stringify(API)};

interface Args {
  name: string;
  value?: string | number;
  state: 'present' | 'absent';
  names: string[];
  servers: { address: string; port?: number }[];
  reload: boolean;
}

const matching: TaskSchema<Args> = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[a-z.]+$', secret: true },
    value: { type: ['string', 'integer'], maxLength: 10 },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    names: { type: 'array', items: { type: 'string' }, default: [] },
    servers: {
      type: 'array',
      default: [],
      items: { type: 'object', additionalProperties: false, required: ['address'], properties: { address: { type: 'string' }, port: { type: 'integer', minimum: 1 } } },
    },
    reload: { type: 'boolean', default: true },
  },
  if: { properties: { state: { const: 'absent' } }, required: ['state'] },
  else: { required: ['value'] },
};
const p = matching.properties;

export const wrongType: TaskSchema<Args> = { ...matching, properties: { ...p,
  reload: { type: 'string' }, // error: not assignable to type '"boolean"'
} };
export const misspelt: TaskSchema<Args> = { ...matching, properties: { ...p,
  name: { type: 'string', patern: '^x$' }, // error: 'patern' does not exist
} };
export const unknownArgument: TaskSchema<Args> = { ...matching, properties: { ...p,
  nmae: { type: 'string' }, // error: 'nmae' does not exist
} };
const { reload: _left, ...withoutReload } = p;
export const missingArgument: TaskSchema<Args> = { ...matching,
  properties: withoutReload, // error: Property 'reload' is missing
};
export const optionalRequired: TaskSchema<Args> = { ...matching,
  required: ['name', 'value'], // error: Type '"value"' is not assignable
};
export const enumOutsideArgs: TaskSchema<Args> = { ...matching, properties: { ...p,
  state: { type: 'string', enum: ['present', 'gone'] }, // error: Type '"gone"' is not assignable
} };
export const defaultOfAnotherType: TaskSchema<Args> = { ...matching, properties: { ...p,
  reload: { type: 'boolean', default: 'yes' }, // error: not assignable to type 'boolean | undefined'
} };
export const nestedWrongType: TaskSchema<Args> = { ...matching, properties: { ...p,
  servers: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { address: { type: 'string' },
    port: { type: 'string' } } } }, // error: not assignable to type '"number" | "integer"'
} };
export const open: TaskSchema<Args> = { ...matching,
  additionalProperties: true, // error: Type 'true' is not assignable to type 'false'
};

export const task = defineTask<Args, {}>({
  name: 'typed',
  description: 'A typed task.',
  schema: matching,
  example: { name: 'a', state: 'present', names: [], servers: [], reload: true },
  facts: () => ({}),
  plan: (args) => noop(args.name),
});
export const exampleOutsideArgs = defineTask<Args, {}>({
  ...task,
  example: { name: 'a', state: 'gone', names: [], servers: [], reload: true }, // error: Type '"gone"' is not assignable
});
`;

describe('TaskSchema<Args>', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvs-schema-types-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes every mismatch between a schema and its Args a compile error, at its line', () => {
    const file = join(dir, 'plugin.ts');
    writeFileSync(file, source);
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, lib: ['lib.es2023.d.ts'], types: [] });
    const sourceFile = program.getSourceFile(file)!;
    const reported = ts.getPreEmitDiagnostics(program, sourceFile).map((diagnostic) => ({
      line: sourceFile.getLineAndCharacterOfPosition(diagnostic.start!).line + 1,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
    }));
    const marked = source.split('\n').flatMap((line, index) => {
      const mark = /\/\/ error: (.*)$/.exec(line);
      return mark ? [{ line: index + 1, says: mark[1] }] : [];
    });
    expect(marked).toHaveLength(10);
    expect([...new Set(reported.map((error) => error.line))]).toEqual(marked.map((mark) => mark.line));
    for (const mark of marked) {
      expect(reported.filter((error) => error.line === mark.line).map((error) => error.message).join('\n')).toContain(mark.says);
    }
  });
});
