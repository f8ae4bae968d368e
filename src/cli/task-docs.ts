/** `lvs tasks NAME`: a task's arguments and an example, generated from its JSON Schema. */
import { stringify } from 'yaml';
import type { TaskModule } from '../api';
import { quote } from '../shell/quote';

interface PropertySchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  items?: PropertySchema;
  properties?: Record<string, PropertySchema>;
  required?: string[];
  secret?: boolean;
  expression?: 'value' | 'condition';
  anyOf?: PropertySchema[];
  oneOf?: PropertySchema[];
  minimum?: number;
  maximum?: number;
}

function typeOf(schema: PropertySchema): string {
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join('|');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  if (type === 'array' && schema.items) return `list of ${typeOf(schema.items)}`;
  const range = schema.minimum !== undefined || schema.maximum !== undefined ? ` ${schema.minimum ?? ''}..${schema.maximum ?? ''}` : '';
  return `${type}${range}`;
}

function describeProperties(schema: PropertySchema, indent: string): string[] {
  const required = new Set(schema.required ?? []);
  const lines: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const marks = [
      required.has(name) ? 'required' : undefined,
      property.default !== undefined ? `default ${JSON.stringify(property.default)}` : undefined,
      property.secret ? 'secret: never printed' : undefined,
      property.expression ? `${property.expression === 'condition' ? 'a condition' : 'an expression'}, evaluated for each host` : undefined,
    ].filter(Boolean);
    lines.push(`${indent}${name} (${typeOf(property)}${marks.length ? `; ${marks.join('; ')}` : ''})`);
    if (property.description) lines.push(`${indent}    ${property.description}`);
    const nested = property.items?.properties ? property.items : property.properties ? property : undefined;
    if (nested) lines.push(...describeProperties(nested, `${indent}    `));
  }
  return lines;
}

export function taskDocumentation(module: TaskModule, source: string): string {
  const example = module.example as Record<string, unknown>;
  const flat = Object.entries(example).every(([, value]) => value === null || typeof value !== 'object');
  const lines = [
    `${module.name}: ${module.description}`,
    source === 'built-in' ? '' : `(from ${source})`,
    'Arguments:',
    ...describeProperties(module.schema as PropertySchema, '  '),
    '',
    'Example (playbook):',
    ...stringify([{ name: `example ${module.name}`, [module.name]: example }])
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`),
  ];
  if (flat) {
    const words = Object.entries(example).map(([key, value]) => quote(`${key}=${value}`));
    // A free-form task takes its words as one line: the free-form text, then its option words.
    const freeForm = module.freeForm;
    const adHoc = freeForm
      ? [quote([String(example[freeForm.argument] ?? ''), ...Object.entries(example).filter(([key]) => freeForm.options.includes(key)).map(([key, value]) => quote(`${key}=${value}`))].join(' '))]
      : words;
    lines.push('', 'Example (ad hoc):', `  lvs task ${module.name} ${adHoc.join(' ')} -i INVENTORY -l PATTERN`);
  }
  return lines.filter((line, index) => line !== '' || index > 0).join('\n');
}
