// Parameter defaults in `readiness explain`, docs/checks.md and the profile JSON Schema: every
// `.default()` shows, written as a user would type it — also for boolish()/intish()/duration(),
// whose transforms make zod's input-side JSON Schema drop the default.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCheck, pass } from '../../src/check.js';
import { explainType, inputDefault, paramDocs, paramsJsonSchema } from '../../src/docs/describe.js';
import { loadAllBuiltins, loadCheckType } from '../../src/engine/registry.js';
import { boolish, duration, intish, numberish } from '../../src/params.js';

type Def = { type: string; shape?: Record<string, z.ZodType>; options?: z.ZodType[]; in?: z.ZodType; innerType?: z.ZodType; defaultValue?: unknown };
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object shapes a params schema accepts (a plain object, or each branch of a union). */
function shapes(schema: z.ZodType): Record<string, z.ZodType>[] {
  const d = def(schema);
  if (d.type === 'object' && d.shape) return [d.shape];
  if (d.type === 'union' && d.options) return d.options.flatMap(shapes);
  if (d.type === 'pipe' && d.in) return shapes(d.in);
  return d.innerType ? shapes(d.innerType) : [];
}

/** The ZodDefault of a parameter, looking through .optional()/.describe() wrappers. */
function defaultOf(schema: z.ZodType): Def | undefined {
  let d: Def | undefined = def(schema);
  while (d && d.type !== 'default' && d.innerType) d = def(d.innerType);
  return d?.type === 'default' ? d : undefined;
}

const sample = defineCheck({
  meta: {
    type: 'sample.defaults',
    title: 'Sample',
    failureTitle: 'Sample failed',
    description: 'A check type to document.',
    remediation: 'Fix it.',
    docs: 'docs/checks.md#sample-defaults',
  },
  params: z
    .object({
      flag: boolish().default(false).describe('A boolean that may come from ${ENV}.'),
      on: boolish().optional().default(true).describe('Defaults to on.'),
      depth: intish().default(100).describe('How deep.'),
      port: intish().pipe(z.number().int().min(1).max(65535)).default(443).describe('A port.'),
      ratio: numberish().default(95).describe('A percentage.'),
      max_ttl: duration().default(900_000).describe('A duration stored in ms.'),
      since: duration().prefault('7d').describe('A duration default given as input.'),
      tiny: duration().default(1500).describe('Under a minute.'),
      name: z.string().default('x').describe('Plain string.'),
      list: z.array(z.string()).default(() => ['a', 'b']).describe('A list.'),
      url: z.string().describe('Required.'),
    })
    .strict(),
  run: async () => pass('ok'),
});

const nested = defineCheck({
  meta: {
    type: 'sample.nested',
    title: 'Nested',
    failureTitle: 'Nested failed',
    description: 'A check type with object parameters.',
    remediation: 'Fix it.',
    docs: 'docs/checks.md#sample-nested',
  },
  params: z
    .object({
      groups: z
        .array(
          z
            .object({
              name: z.string().min(1).describe('Group name.'),
              members: z.array(z.object({ id: z.string().describe('Member id.'), weight: intish().default(1).describe('Weight.') }).strict()).min(1).describe('Members.'),
            })
            .strict(),
        )
        .describe('Groups, each with members.'),
      server: z.object({ host: z.string().describe('Host.'), port: intish().default(25).describe('Port.') }).strict().optional().describe('One server.'),
      limits: z.record(z.string(), z.object({ max: intish().describe('Maximum.') }).strict()).default({}).describe('Name → limits.'),
      migrations: z.union([boolish(), z.object({ table: z.string().describe('Table.') }).strict()]).optional().describe('true, or {table}.'),
      heads: z.array(z.union([z.string(), z.number()])).optional().describe('A list of strings or numbers.'),
      plain: z.string().describe('No fields.'),
    })
    .strict(),
  run: async () => pass('ok'),
});

describe('nested parameters', () => {
  it('lists the fields of object lists, objects, maps and union object branches, indented under their parameter', () => {
    const text = explainType(nested, ['pass', 'error']);
    const params = text.slice(text.indexOf('Parameters (under `with:`):'), text.indexOf('When it fails:')).trim().split('\n').slice(2);
    expect(params).toEqual([
      '- groups (object[], required): Groups, each with members.',
      '  - name (string, required): Group name.',
      '  - members (object[], required): Members.',
      '    - id (string, required): Member id.',
      '    - weight (integer | string, default 1): Weight.',
      '- server (object): One server.',
      '  - host (string, required): Host.',
      '  - port (integer | string, default 25): Port.',
      '- limits (map of object, default {}): Name → limits.',
      '  - max (integer | string, required): Maximum.',
      '- migrations (boolean | string | object): true, or {table}.',
      '  - table (string, required): Table.',
      '- heads ((string | number)[]): A list of strings or numbers.',
      '- plain (string, required): No fields.',
    ]);
    const docs = paramDocs(nested);
    expect(docs.find((p) => p.name === 'plain')?.fields).toBeUndefined();
    expect(docs.find((p) => p.name === 'groups')?.fields?.[1]).toMatchObject({ name: 'members', type: 'object[]', required: true, fields: [{ name: 'id' }, { name: 'weight', default: 1 }] });
  });

  it('`readiness explain stripe.prices` shows each plan\'s fields and each price\'s fields', async () => {
    const text = explainType(await loadCheckType('stripe.prices'));
    expect(text).toMatch(/^- plans \(object\[\], required\): Plans the app sells/m);
    expect(text).toMatch(/^ {2}- name \(string, required\): Plan name shown in the report/m);
    expect(text).toMatch(/^ {2}- optional \(boolean \| string, default false\): The plan may be absent/m);
    expect(text).toMatch(/^ {2}- prices \(object\[\], required\): Prices of the plan$/m);
    expect(text).toMatch(/^ {4}- lookup_key \(string\): Lookup key of the price/m);
    expect(text).toMatch(/^ {4}- id \(string\): Price id/m);
    expect(text).toMatch(/^ {4}- amount \(integer \| string, required\): Expected unit_amount/m);
    expect(text).toMatch(/^ {4}- currency \(string, default "usd"\): /m);
    expect(text).toMatch(/^ {4}- interval \("day" \| "week" \| "month" \| "year"\): /m);
    expect(text).toMatch(/^ {4}- interval_count \(integer \| string, default 1\): /m);
  });
});

describe('parameter defaults', () => {
  it('shows the default of every kind of parameter, as written in a profile', () => {
    const docs = Object.fromEntries(paramDocs(sample).map((p) => [p.name, p]));
    expect(docs.flag).toMatchObject({ type: 'boolean | string', default: false, required: false });
    expect(docs.on.default).toBe(true);
    expect(docs.depth.default).toBe(100);
    expect(docs.port.default).toBe(443);
    expect(docs.ratio.default).toBe(95);
    expect(docs.max_ttl.default).toBe('15m'); // not 900000, which a profile would read as seconds
    expect(docs.since.default).toBe('7d');
    expect(docs.tiny.default).toBe('1.5s');
    expect(docs.name.default).toBe('x');
    expect(docs.list.default).toEqual(['a', 'b']);
    expect(docs.url).toMatchObject({ required: true });
    expect(docs.url.default).toBeUndefined();

    const text = explainType(sample, ['pass', 'error']);
    expect(text).toMatch(/^- flag \(boolean \| string, default false\): A boolean/m);
    expect(text).toMatch(/^- depth \(integer \| string, default 100\): How deep\.$/m);
    expect(text).toMatch(/^- max_ttl \(string \| number, default "15m"\): /m);
    expect(text).toMatch(/^- url \(string, required\): Required\.$/m);
    // The profile JSON Schema (editor completion) carries the same defaults.
    const props = paramsJsonSchema(sample).properties!;
    expect(props.history_depth).toBeUndefined();
    expect([props.flag.default, props.depth.default, props.max_ttl.default]).toEqual([false, 100, '15m']);
  });

  it('every documented default parses back to the value the check uses', () => {
    const schema = sample.params as unknown as z.ZodObject;
    const documented = paramDocs(sample).filter((x) => x.default !== undefined);
    expect(documented).toHaveLength(10);
    for (const p of documented) {
      // Parsing the documented input gives what parsing an absent parameter gives.
      const param = schema.shape[p.name] as z.ZodType;
      expect(param.parse(p.default), p.name).toEqual(param.parse(undefined));
    }
  });

  it('leaves out a default it cannot write as input rather than showing a wrong one', () => {
    const odd = z.string().transform((s) => ({ wrapped: s }));
    expect(inputDefault(odd, { wrapped: 'a' })).toBeUndefined();
    expect(inputDefault(duration(), 900_000)).toBe('15m');
    expect(inputDefault(boolish(), true)).toBe(true);
    expect(inputDefault(undefined, 1)).toBeUndefined();
  });

  it('secrets.scan documents history, history_depth and max_file_size defaults (reported missing)', async () => {
    const text = explainType(await loadCheckType('secrets.scan'));
    expect(text).toMatch(/^- history \(boolean \| string, default false\)/m);
    expect(text).toMatch(/^- history_depth \(integer \| string, default 100\)/m);
    expect(text).toMatch(/^- max_file_size \(integer \| string, default 1048576\)/m);
  });

  it('no built-in check type has a parameter default that the docs leave out', async () => {
    let count = 0;
    for (const check of await loadAllBuiltins()) {
      const docs = new Map(paramDocs(check).map((p) => [p.name, p]));
      for (const shape of shapes(check.params as unknown as z.ZodType)) {
        for (const [name, param] of Object.entries(shape)) {
          const d = defaultOf(param);
          if (!d) continue;
          count += 1;
          const shown = docs.get(name)?.default;
          expect(shown, `${check.meta.type} ${name}: default ${JSON.stringify(d.defaultValue)} not documented`).not.toBeUndefined();
          expect(d.innerType!.parse(shown), `${check.meta.type} ${name}`).toEqual(d.defaultValue);
        }
      }
    }
    expect(count).toBeGreaterThan(100);
  });
});
