/**
 * Checks simulator responses against Dyte's response schemas (dyte-schemas.ts, the project's own
 * rendering of Dyte's API reference): each response's body against the schema of its operation and
 * status; a property Dyte does not mark nullable may be omitted, never null.
 *
 * Every simulator the test helpers start reports its traffic here; each test file that imports this
 * module fails at its end when any response it caused did not conform.
 */
import { after } from 'node:test';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Exchange } from '../../src/simulator/index.ts';
import { V1, V2 } from './dyte-schemas.ts';
import type { ApiDescription, Operation, Schema } from './dyte-schemas.ts';

const blank = (path: string) => path.replace(/\{[^}]+\}|:[^/]+/g, '{}');

const RTK_PREFIX = /^\/client\/v4\/accounts\/[^/]+\/realtime\/kit\/[^/]+/;

/** The API description (v1 or v2) and the path inside it for a simulator route template. */
function specPath(exchange: Pick<Exchange, 'api' | 'template'>): { api: 'v1' | 'v2'; path: string } {
  const template = exchange.template!;
  if (exchange.api === 'v1') {
    return { api: 'v1', path: blank(template.replace(/^\/v1\/organizations\/:organization_id/, '')) };
  }
  return { api: 'v2', path: blank(template.replace(/^\/v2/, '').replace(RTK_PREFIX, '')) };
}

export interface Violation {
  exchange: Exchange;
  problem: string;
}

/** The checker: `check` one exchange; `answered` lists the simulator routes that answered, by `METHOD template status`. */
export class Conformance {
  readonly answered = new Set<string>();
  readonly violations: Violation[] = [];
  private readonly ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  private readonly validators = new Map<Schema, ValidateFunction>();
  private readonly apis: Record<'v1' | 'v2', ApiDescription> = { v1: V1, v2: V2 };

  constructor() {
    (addFormatsModule as unknown as (ajv: Ajv) => void)(this.ajv);
    // Meeting ids are the caller's choice (the simulator takes any id, as Dyte's v1 room names show),
    // and they are echoed in `format: uuid` fields: that format is not checked, every other one is.
    this.ajv.addFormat('uuid', true);
  }

  /** The Dyte operation a simulator route stands for (`v2 GET /recordings/{}`), or null when Dyte has none. */
  operationOf(api: Exchange['api'], method: string, template: string): string | null {
    const { api: version, path } = specPath({ api, template });
    return this.operation(version, method, path) ? `${version} ${method} ${path}` : null;
  }

  check = (exchange: Exchange): void => {
    let problem: string | null;
    try {
      problem = this.problem(exchange);
    } catch (error) {
      problem = `the check itself failed: ${(error as Error).message}`;
    }
    if (problem) this.violations.push({ exchange, problem });
  };

  /** The problems of one body against the schema (null when it conforms). */
  validate(schema: Schema, body: unknown): string | null {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(schema, validate);
    }
    if (validate(body)) return null;
    return (validate.errors ?? [])
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
      .join('; ');
  }

  private operation(api: 'v1' | 'v2', method: string, path: string): Operation | undefined {
    return this.apis[api].operations.find((op) => op.method === method && blank(op.path) === path);
  }

  private problem(exchange: Exchange): string | null {
    const description = this.apis[exchange.api === 'v1' ? 'v1' : 'v2'];
    // Errors Dyte does not list for an operation (401, 429, 500…) still come in the API's error envelope.
    if (exchange.template === null) return this.validate(description.error, exchange.body);
    this.answered.add(`${exchange.method} ${exchange.template} ${exchange.status}`);
    const { api, path } = specPath(exchange);
    const operation = this.operation(api, exchange.method, path);
    if (!operation) return `Dyte's ${api} API has no operation ${exchange.method} ${path}`;
    const status = String(exchange.status);
    const schema = operation.responses[status] ?? operation.responses[`${status[0]}XX`];
    if (schema) return this.validate(schema, exchange.body);
    if (exchange.status >= 400) return this.validate(description.error, exchange.body);
    return `Dyte's ${api} API declares no response ${status} for ${exchange.method} ${path}`;
  }
}

let shared: Conformance | undefined;

/** The process's checker, created on first use. */
export function conformance(): Conformance {
  shared ??= new Conformance();
  return shared;
}

// Registered when a test file loads this module: fails the file at its end when any response it caused
// did not conform to Dyte's schemas.
after(() => {
  if (!shared || shared.violations.length === 0) return;
  const lines = shared.violations.map(
    ({ exchange, problem }) =>
      `${exchange.method} ${exchange.template} → ${exchange.status}: ${problem}\n  ${JSON.stringify(exchange.body)}`,
  );
  throw new Error(
    `${shared.violations.length} simulator response(s) do not match Dyte's schemas:\n${lines.join('\n')}`,
  );
});
