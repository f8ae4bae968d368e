/**
 * A task's argument schema: its TypeScript form, which ties the schema to the task's `Args`
 * so that a schema and its interface cannot drift apart, and the one strict ajv that
 * compiles every schema, built-in or plugin.
 *
 * ajv's own `JSONSchemaType<Args>` is not used because it demands `nullable: true` on every
 * optional argument, and ajv then accepts `null` there: a YAML `label: ~` would reach the
 * plan instead of being rejected.
 */
import Ajv, { type ValidateFunction } from 'ajv';

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Keywords any argument may carry. */
type Annotations<T> = {
  description?: string;
  /** The value is redacted in every output: the tree, --diff, JSON, errors, debug logs. */
  secret?: boolean;
  /**
   * The text is an expression that the engine evaluates against the host's variables (a
   * `condition` as `when:` reads it, or a `value`, what `{{ }}` around it would give); the
   * plan finds the outcome in `context.expressions`. Top-level arguments only.
   */
  expression?: 'value' | 'condition';
  default?: T;
  enum?: readonly T[];
  const?: T;
};

type StringKeywords = { pattern?: string; minLength?: number; maxLength?: number; format?: string };
type NumberKeywords = { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; multipleOf?: number };
type ScalarTypeName<T> = T extends string ? 'string' : T extends number ? 'integer' | 'number' : T extends boolean ? 'boolean' : never;

/** What a schema says about a value it does not type: a module seen through `TaskModule<any>`. */
type UntypedSchema = { type?: string | readonly string[]; properties?: Record<string, UntypedSchema>; items?: UntypedSchema; [keyword: string]: unknown };

/** The schema of one argument of type T (`undefined`, for an optional one, already taken out). */
export type ArgumentSchema<T> =
  IsAny<T> extends true
    ? UntypedSchema
    : Annotations<T> &
        ([T] extends [string]
          ? { type: 'string' } & StringKeywords
          : [T] extends [number]
            ? { type: 'integer' | 'number' } & NumberKeywords
            : [T] extends [boolean]
              ? { type: 'boolean' }
              : [T] extends [readonly (infer Item)[]]
                ? { type: 'array'; items: ArgumentSchema<Item>; minItems?: number; maxItems?: number; uniqueItems?: boolean }
                : [T] extends [object]
                  ? string extends keyof T
                    ? MapSchema<T[string]>
                    : ObjectSchema<T>
                  : // A union of scalars, such as string | number: type: ['string', 'integer'].
                    { type: readonly ScalarTypeName<T>[] } & StringKeywords & NumberKeywords);

/** Keys written `key?:` in T. */
type OptionalKey<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/** A rule over an object's arguments, as if/then/else and anyOf/oneOf/allOf/not take it. */
type Condition<T> = {
  properties?: { [K in keyof T]?: Partial<ArgumentSchema<Exclude<T[K], undefined>>> };
  required?: readonly (keyof T & string)[];
  anyOf?: readonly Condition<T>[];
  oneOf?: readonly Condition<T>[];
  allOf?: readonly Condition<T>[];
  not?: Condition<T>;
};

/** A map of names the task does not know in advance (environment variables), each value of one type. */
type MapSchema<V> = { type: 'object'; additionalProperties: ArgumentSchema<V>; propertyNames?: { pattern: string } };

type ObjectSchema<T> = {
  type: 'object';
  /** Closed: an argument the task does not know is an error, never ignored. */
  additionalProperties: false;
  /** Exactly the keys of T. */
  properties: { [K in keyof T]-?: ArgumentSchema<Exclude<T[K], undefined>> };
  /** Only keys T does not mark optional; a non-optional key left out here needs a default. */
  required?: readonly (Exclude<keyof T, OptionalKey<T>> & string)[];
  if?: Condition<T>;
  then?: Condition<T>;
  else?: Condition<T>;
  anyOf?: readonly Condition<T>[];
  oneOf?: readonly Condition<T>[];
  allOf?: readonly Condition<T>[];
  not?: Condition<T>;
};

/**
 * The JSON Schema (draft 7) of a task's arguments, checked against `Args` by TypeScript: the
 * same properties, each of a matching type, defaults and enums of that type, and `required`
 * naming only arguments that Args does not mark optional. Args describes the arguments as the
 * plan sees them, after the defaults are filled in.
 */
export type TaskSchema<Args> = IsAny<Args> extends true ? UntypedSchema & { type: 'object' } : Annotations<Args> & ObjectSchema<Args>;

/*
 * strictRequired stays off: a schema's if/else names properties that its parent declares
 * (sysctl's `else: { required: [value] }`), which that check cannot see. Union types are
 * allowed for values given either way, such as a sysctl value of 1 or "4096 87380".
 * 'array' coercion also wraps a single value given as k=v into a one-item list.
 */
const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true, useDefaults: true, coerceTypes: 'array', allErrors: true });
ajv.addKeyword({ keyword: 'secret', metaSchema: { type: 'boolean' } });
ajv.addKeyword({ keyword: 'expression', metaSchema: { enum: ['value', 'condition'] } });

const validators = new WeakMap<object, ValidateFunction>();

/**
 * The validator of an argument schema, compiled once. Throws when ajv's strict mode rejects
 * the schema: an unknown (misspelt) keyword, a keyword that does not fit the declared type,
 * a `secret` that is not a boolean.
 */
export function argumentValidator(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}
