/**
 * Checks simulator responses against Dyte's own OpenAPI descriptions (`v2.yaml`, `v1.yaml`): each
 * response's body against the schema of its operation and status, with OpenAPI's `nullable` respected
 * (a property not marked nullable may be omitted, never null). The files are Dyte's, not the project's:
 * they are read from `../shared/dyte-openapi/` beside the repository (or `DYTE_OPENAPI_DIR`).
 *
 * Every simulator the test helpers start reports its traffic here; each test file that imports this
 * module fails at its end when any response it caused did not conform.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import type { Exchange } from '../../src/simulator/index.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where Dyte's OpenAPI files are: `DYTE_OPENAPI_DIR`, else `../shared/dyte-openapi` from the repository root. */
export function openApiDir(): string {
  const dir = process.env.DYTE_OPENAPI_DIR ?? resolve(REPO_ROOT, '../shared/dyte-openapi');
  for (const file of ['v1.yaml', 'v2.yaml']) {
    if (!existsSync(join(dir, file))) {
      throw new Error(
        `Dyte's OpenAPI file ${file} is not in ${dir}: the schema checks need Dyte's v1.yaml and v2.yaml ` +
          `there (a copy of shared/dyte-openapi beside the repository), or DYTE_OPENAPI_DIR pointing at them.`,
      );
    }
  }
  return dir;
}

type Json = Record<string, unknown>;

interface Operation {
  /** The spec's path with parameters blanked (`/recordings/{}`), the method and its responses. */
  path: string;
  method: string;
  responses: Json;
}

/** One API's document, its operations, and compiled validators by JSON pointer. */
class Spec {
  readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly ajv: Ajv,
    private readonly id: string,
    private readonly doc: Json,
  ) {
    ajv.addSchema(doc, id);
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        this.operations.push({
          path: blank(path),
          method: method.toUpperCase(),
          responses: (operation as Json).responses as Json,
        });
      }
    }
  }

  operation(method: string, path: string): Operation | undefined {
    return this.operations.find((op) => op.method === method && op.path === path);
  }

  /**
   * The JSON pointer of the body schema of a response with `status`: null when the operation declares
   * no such response, 'none' when it declares one without a JSON schema.
   */
  schemaPointer(operation: Operation, status: number): string | 'none' | null {
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in operation.responses);
    if (!key) return null;
    let response = operation.responses[key] as Json;
    let pointer = `#/paths/${escape(this.pathOf(operation))}/${operation.method.toLowerCase()}/responses/${escape(key)}`;
    if (typeof response.$ref === 'string') {
      pointer = response.$ref;
      response = this.resolve(pointer);
    }
    const json = (response.content as Json | undefined)?.['application/json'] as Json | undefined;
    return json?.schema ? `${pointer}/content/application~1json/schema` : 'none';
  }

  validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${this.id}${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  private pathOf(operation: Operation): string {
    return Object.keys(this.doc.paths as Json).find((path) => blank(path) === operation.path)!;
  }

  private resolve(pointer: string): Json {
    let node: unknown = this.doc;
    for (const part of pointer.replace(/^#\//, '').split('/')) {
      node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node as Json;
  }
}

const escape = (segment: string) =>
  segment.replace(/~/g, '~0').replace(/\//g, '~1').replace(/\{/g, '%7B').replace(/\}/g, '%7D');
const isSuccessEnvelope = (body: unknown) => (body as Json | null)?.success === true;
const blank = (path: string) => path.replace(/\{[^}]+\}|:[^/]+/g, '{}');

const RTK_PREFIX = /^\/client\/v4\/accounts\/[^/]+\/realtime\/kit\/[^/]+/;

/** The spec (v1 or v2) and the path inside it for a simulator route template. */
function specPath(exchange: Exchange): { api: 'v1' | 'v2'; path: string } {
  const template = exchange.template!;
  if (exchange.api === 'v1') return { api: 'v1', path: blank(template.replace(/^\/v1/, '')) };
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
  private readonly specs: Record<'v1' | 'v2', Spec>;

  constructor(dir = openApiDir()) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    (addFormatsModule as unknown as (ajv: Ajv) => void)(ajv);
    // Meeting ids are the caller's choice (the simulator takes any id, as Dyte's v1 room names show),
    // and they are echoed in `format: uuid` fields: that format is not checked, every other one is.
    ajv.addFormat('uuid', true);
    const load = (file: string) => parse(readFileSync(join(dir, file), 'utf8')) as Json;
    this.specs = { v1: new Spec(ajv, 'v1', load('v1.yaml')), v2: new Spec(ajv, 'v2', load('v2.yaml')) };
  }

  /** The spec operation a simulator route stands for (`v2 GET /recordings/{}`), or null when the spec has none. */
  operationOf(api: Exchange['api'], method: string, template: string): string | null {
    const { api: spec, path } = specPath({ api, method, template, status: 200, body: null });
    return this.specs[spec].operation(method, path) ? `${spec} ${method} ${path}` : null;
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

  private problem(exchange: Exchange): string | null {
    if (exchange.template === null) return this.checkError(exchange);
    this.answered.add(`${exchange.method} ${exchange.template} ${exchange.status}`);
    const { api, path } = specPath(exchange);
    const spec = this.specs[api];
    const operation = spec.operation(exchange.method, path);
    if (!operation) return `no operation ${exchange.method} ${path} in ${api}.yaml`;
    const pointer = spec.schemaPointer(operation, exchange.status);
    if (exchange.status >= 400 && pointer !== null && pointer !== 'none') {
      return this.validate(spec, pointer, exchange.body);
    }
    if (exchange.status >= 400) return this.checkError(exchange);
    if (pointer === null)
      return `${api}.yaml declares no response ${exchange.status} for ${exchange.method} ${path}`;
    // A success the spec describes without a schema: its body is still the API's success envelope.
    if (pointer === 'none') return isSuccessEnvelope(exchange.body) ? null : 'not a {success: true} envelope';
    return this.validate(spec, pointer, exchange.body);
  }

  /** Errors the spec does not list for an operation (401, 429, 500…) still come in the API's error envelope. */
  private checkError(exchange: Exchange): string | null {
    const api = exchange.api === 'v1' ? 'v1' : 'v2';
    const pointer =
      api === 'v1'
        ? '#/components/responses/GenericFailure/content/application~1json/schema'
        : '#/components/schemas/GenericErrorResponse';
    return this.validate(this.specs[api], pointer, exchange.body);
  }

  private validate(spec: Spec, pointer: string, body: unknown): string | null {
    const validate = spec.validator(pointer);
    if (validate(body)) return null;
    return (validate.errors ?? [])
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
      .join('; ');
  }
}

let shared: Conformance | undefined;

/** The process's checker, created on first use (so files that start no simulator need no OpenAPI files). */
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
