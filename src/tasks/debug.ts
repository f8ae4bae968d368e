/**
 * Ansible's debug module: shows a message, or a variable's value, on the host's line. Its
 * value is computed when the run is compiled (or once a registered result it reads exists),
 * through the schema's `expression` keyword: the plan only formats it.
 */
import { defineTask, noop, type Plan } from '../api';

interface DebugArgs {
  msg?: any;
  var?: string;
  verbosity: number;
}

/** What Ansible's debug shows for a variable that does not exist. */
const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export default defineTask<DebugArgs, {}>({
  name: 'debug',
  description: 'Shows a message or the value of a variable or expression; changes nothing.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      msg: {
        type: ['string', 'number', 'boolean', 'array', 'object'],
        description: 'The message, rendered like any argument ("rs {{ inventory_hostname }}"); a list or map is shown as JSON. Default: Hello world!',
      },
      var: {
        type: 'string',
        minLength: 1,
        expression: 'value',
        description: 'A variable or expression, written without {{ }} (result.stdout): shown as {"result.stdout": value}.',
      },
      verbosity: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'Show it only at this -v level or above. lvs has no -v: anything above 0 is not shown (the task is ok, saying so).',
      },
    },
  },
  example: { var: 'ansible_host', verbosity: 0 },
  validate: (args) => (args.msg !== undefined && args.var !== undefined ? ['var: give msg or var, not both'] : []),
  facts: () => ({}),
  plan(args, _facts, context): Plan {
    if (args.verbosity > 0) return noop(`not shown: verbosity ${args.verbosity} needs -${'v'.repeat(args.verbosity)}, and lvs shows verbosity 0 only`);
    const evaluated = context.expressions.var?.[0];
    if (evaluated) {
      const value = evaluated.defined ? evaluated.value : NOT_DEFINED;
      return { ...noop(`${evaluated.source}: ${show(value)}`), result: { [evaluated.source]: value } };
    }
    const msg = args.msg ?? 'Hello world!';
    return { ...noop(show(msg)), result: { msg } };
  },
});
