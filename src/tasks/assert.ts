/**
 * Ansible's assert module: conditions, written as `when:` takes them, that must all hold
 * before the play goes on. They are evaluated when the run is compiled (or once a result
 * they read is registered), through the schema's `expression` keyword.
 */
import { defineTask, noop, type Plan } from '../api';

interface AssertArgs {
  that: string[];
  fail_msg?: string;
  msg?: string;
  success_msg: string;
  quiet: boolean;
}

export default defineTask<AssertArgs, {}>({
  name: 'assert',
  description: 'Fails the host, naming the condition, when a condition is false; changes nothing.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['that'],
    properties: {
      that: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        expression: 'condition',
        description: "A condition or a list of them, all of which must hold, written as when: takes them: result.rc == 0, mode in ['nat', 'dr'], vip is defined.",
      },
      fail_msg: { type: 'string', description: 'The message when a condition is false (default: Assertion failed).' },
      msg: { type: 'string', description: 'Another name for fail_msg.' },
      success_msg: { type: 'string', default: 'All assertions passed', description: 'The message when all hold.' },
      quiet: { type: 'boolean', default: false, description: 'Show nothing when all hold.' },
    },
  },
  example: { that: ["lvs_mode in ['nat', 'dr', 'tun']", 'vip is defined'], fail_msg: 'set lvs_mode and vip', success_msg: 'All assertions passed', quiet: false },
  validate: (args) => (args.fail_msg !== undefined && args.msg !== undefined ? ['msg: give fail_msg or msg, not both'] : []),
  facts: () => ({}),
  plan(args, _facts, context): Plan {
    const failed = (context.expressions.that ?? []).find((condition) => condition.value !== true);
    if (failed) throw new Error(`${args.fail_msg ?? args.msg ?? 'Assertion failed'} (false: ${failed.source})`);
    const result = { msg: args.success_msg };
    return args.quiet ? { changes: [], commands: [], result } : { ...noop(args.success_msg), result };
  },
});
