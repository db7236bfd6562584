import './quiet-logs';
import { CASE_FIELDS, REQUIRED_CASE_FIELDS } from '../../src/domain/case-record';
import { HOSPITAL_BONUSES, HOSPITAL_LEVELS } from '../../src/domain/hospital';
import { startTestApp, TestApp } from '../support/app';

/**
 * The OpenAPI document (/api/docs-json) documents every route: its success answer with a schema
 * (or a file, or an empty 204), and its errors with the one shared ErrorResponse. A route added
 * without response docs fails here. The case and hospital bodies are described field by field.
 */

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
};
interface MediaType {
  schema?: Schema;
}
interface Response {
  description?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  parameters?: unknown[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
const ERROR_REF = '#/components/schemas/ErrorResponse';
/** Answers that carry no body by definition. */
const EMPTY_STATUSES = ['204', '205'];

/**
 * Operations that read nothing a client can get wrong (no checked parameter, no body): they have
 * no 4xx to document, only the 500 of a bug. Every other operation documents a 4xx.
 */
const NO_CLIENT_ERRORS = new Set([
  'get /health',
  'get /api/v1/hospitals',
  'get /api/v1/regions/{region}/code-tables',
  'get /api/v1/settlement-locks',
  'get /api/v1/admin/special-cases',
  'get /api/v1/schemes',
]);

/** Every `$ref` in a part of the document. */
function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node !== null && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  return out;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp('sqlite', 'e2e_openapi');
    const res = await t.http().get('/api/docs-json');
    expect(res.status).toBe(200);
    doc = res.body as Document;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = (): { name: string; op: Operation }[] =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ name: `${method} ${path}`, op })),
    );
  const schemaOf = (ref: string): Schema => {
    const name = ref.replace('#/components/schemas/', '');
    const s = doc.components.schemas[name];
    if (!s) throw new Error(`no schema ${name}`);
    return s;
  };
  /** JSON, as opposed to a file of lines or a table (application/x-ndjson, text/csv). */
  const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');
  /** A body schema that names its shape: a component, an array of one, a choice of them; a file is a string. */
  const described = (mediaType: string, s: Schema | undefined): boolean => {
    if (s === undefined) return false;
    if (!isJson(mediaType)) return s.type === 'string' || refsIn(s).length > 0;
    return refsIn(s).length > 0;
  };

  it('is an OpenAPI 3 document with the routes of every controller', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const names = operations().map((o) => o.name);
    expect(names.length).toBeGreaterThan(25);
    expect(names).toEqual(
      expect.arrayContaining([
        'post /api/v1/cases',
        'post /api/v1/cases/import',
        'get /api/v1/imports/{id}',
        'post /api/v1/hospitals',
        'put /api/v1/hospitals/{code}',
        'put /api/v1/regions/{region}/code-tables/{kind}',
        'post /api/v1/catalogs/import',
        'get /api/v1/catalogs/{id}/export',
        'get /api/v1/groupings/{id}/cases/{caseId}',
        'get /api/v1/settlements/{id}/report',
        'post /api/v1/settlement-records/{kind}',
        'get /api/v1/jobs/{id}',
        'get /health',
      ]),
    );
  });

  it('documents the success answer of every route with a schema (or a file, or an empty 204)', () => {
    const missing: string[] = [];
    for (const { name, op } of operations()) {
      const ok = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      const documented = ok.some(
        ([status, r]) =>
          (EMPTY_STATUSES.includes(status) && r.content === undefined) ||
          (r.content !== undefined &&
            Object.keys(r.content).length > 0 &&
            Object.entries(r.content).every(([type, m]) => described(type, m.schema))),
      );
      if (!documented) missing.push(`${name}: ${JSON.stringify(op.responses)}`);
    }
    expect(missing).toEqual([]);
  });

  it('documents the errors of every route with the shared ErrorResponse: a 4xx wherever the client can be wrong', () => {
    const missing: string[] = [];
    for (const { name, op } of operations()) {
      const errors = Object.entries(op.responses ?? {}).filter(([status]) => /^[45]\d\d$/.test(status));
      const shared = (statuses: RegExp) =>
        errors.some(([status, r]) => statuses.test(status) && refsIn(r.content?.['application/json']?.schema).includes(ERROR_REF));
      if (!shared(/^5/)) missing.push(`${name}: no 500 with ErrorResponse`);
      if (!NO_CLIENT_ERRORS.has(name) && !shared(/^4/)) missing.push(`${name}: no 4xx with ErrorResponse`);
    }
    expect(missing).toEqual([]);
    // The exemptions are routes that exist (a renamed route does not keep its exemption).
    const names = new Set(operations().map((o) => o.name));
    expect([...NO_CLIENT_ERRORS].filter((n) => !names.has(n))).toEqual([]);
  });

  it('says who may call every route (x-roles): public, or roles with a bearer token, 401 and 403', () => {
    const wrong: string[] = [];
    for (const { name, op } of operations()) {
      const roles = (op as { 'x-roles'?: string[] })['x-roles'];
      if (!roles || roles.length === 0) wrong.push(`${name}: no x-roles`);
      else if (!roles.includes('public') && !(op.responses?.['401'] && op.responses?.['403'])) wrong.push(`${name}: no 401/403`);
    }
    expect(wrong).toEqual([]);
    const publicRoutes = operations().filter(({ op }) => ((op as { 'x-roles'?: string[] })['x-roles'] ?? []).includes('public'));
    expect(publicRoutes.map((o) => o.name).sort()).toEqual(['get /health', 'post /api/v1/auth/login', 'post /api/v1/auth/refresh']);
  });

  it('describes every JSON request body by a named schema, not a bare object', () => {
    const bare: string[] = [];
    for (const { name, op } of operations())
      for (const [type, m] of Object.entries(op.requestBody?.content ?? {}))
        if (isJson(type) && !described(type, m.schema)) bare.push(`${name} (${type})`);
    expect(bare).toEqual([]);
  });

  it('resolves every $ref to a schema of the document', () => {
    const dangling = [...new Set(refsIn(doc))].filter((r) => !doc.components.schemas[r.replace('#/components/schemas/', '')]);
    expect(dangling).toEqual([]);
  });

  it('declares the type of every property (an undeclared one shows as a schema named Object)', () => {
    expect(doc.components.schemas.Object).toBeUndefined();
    const untyped = Object.entries(doc.components.schemas).flatMap(([name, s]) =>
      Object.entries(s.properties ?? {})
        .filter(([, p]) => !['type', '$ref', 'oneOf', 'anyOf', 'allOf'].some((k) => k in p))
        .map(([prop]) => `${name}.${prop}`),
    );
    expect(untyped).toEqual([]);
  });

  it('has one error body: statusCode, a stable code in `error`, message, problems and line', () => {
    const e = schemaOf(ERROR_REF);
    expect(Object.keys(e.properties ?? {}).sort()).toEqual(['error', 'line', 'message', 'problems', 'statusCode']);
    expect([...(e.required ?? [])].sort()).toEqual(['error', 'message', 'statusCode']);
    const problem = schemaOf(refsIn(e.properties!.problems)[0]);
    expect(Object.keys(problem.properties ?? {}).sort()).toEqual(['field', 'line', 'path', 'reason', 'row']);
  });

  it('describes the case body of POST /api/v1/cases field by field: a property per case field', () => {
    const body = doc.paths['/api/v1/cases'].post.requestBody?.content?.['application/json']?.schema;
    expect(body?.type).toBe('array');
    const c = schemaOf(body!.items!.$ref!);
    expect(Object.keys(c.properties ?? {}).sort()).toEqual([...CASE_FIELDS].sort());
    expect([...(c.required ?? [])].sort()).toEqual([...REQUIRED_CASE_FIELDS].sort());
    for (const money of ['totalCost', 'fundPayment', 'outOfCatalogSelfPay']) expect(c.properties![money].type).toBe('string');
    for (const field of CASE_FIELDS) expect(c.properties![field].description ?? c.properties![field].enum).toBeTruthy();
  });

  it('describes the hospital bodies field by field, with the levels and bonuses', () => {
    const post = doc.paths['/api/v1/hospitals'].post.requestBody?.content?.['application/json']?.schema;
    const refs = refsIn(post);
    expect(new Set(refs)).toEqual(new Set(['#/components/schemas/HospitalBody']));
    const h = schemaOf(refs[0]);
    expect(Object.keys(h.properties ?? {}).sort()).toEqual(['bonuses', 'code', 'level', 'name', 'region']);
    expect([...(h.required ?? [])].sort()).toEqual(['code', 'level', 'name', 'region']);
    expect(h.properties!.level.enum).toEqual([...HOSPITAL_LEVELS]);
    expect(h.properties!.bonuses.items?.enum).toEqual([...HOSPITAL_BONUSES]);

    const put = doc.paths['/api/v1/hospitals/{code}'].put.requestBody?.content?.['application/json']?.schema;
    const p = schemaOf(put!.$ref!);
    expect(Object.keys(p.properties ?? {}).sort()).toEqual(['bonuses', 'code', 'level', 'name', 'region']);
    expect([...(p.required ?? [])].sort()).toEqual(['level', 'name', 'region']);
  });

  it('says that money and points are strings', () => {
    const pool = schemaOf('#/components/schemas/MonthlyPoolResponse');
    for (const f of ['fund', 'points', 'pointValue', 'monthlyBudget']) expect(pool.properties![f].type).toBe('string');
    const result = schemaOf('#/components/schemas/CaseResultResponse');
    expect(result.properties!.points.type).toBe('string');
  });
});
