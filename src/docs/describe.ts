// Human documentation of a check type from its metadata and parameter schema: used by
// `readiness explain`, the generated docs/checks.md and the profile's JSON Schema.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { CheckType, VerdictStatus } from '../check.js';
import { formatDuration } from '../duration.js';
import { CHECKS_DIR } from '../engine/registry.js';

export type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  additionalProperties?: JsonSchema | boolean;
};

export interface ParamDoc {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  /** The fields of the objects the parameter holds (itself, its list items, its map values), documented alike. */
  fields?: ParamDoc[];
}

/**
 * The default of a `.default()` as a user would write it. zod's input-side JSON Schema drops defaults
 * whose schema transforms (boolish(), intish(), duration()), and a duration's default is stored in
 * milliseconds: the first candidate that parses back to the stored value wins (`false`, `443`, `"15m"`).
 */
export function inputDefault(inner: z.ZodType | undefined, value: unknown): unknown {
  if (value === undefined || !inner) return undefined;
  const candidates: unknown[] = [value];
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) candidates.push(formatDuration(value));
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const candidate of candidates) {
    let parsed: { success: boolean; data?: unknown };
    try {
      parsed = inner.safeParse(candidate);
    } catch {
      continue;
    }
    if (parsed.success && same(parsed.data, value)) return JSON.parse(JSON.stringify(candidate)) as unknown;
  }
  return undefined;
}

interface DefaultDef {
  type: string;
  defaultValue?: unknown;
  innerType?: z.ZodType;
}

/** JSON Schema of what a user may write under `with:` (the input side of the zod schema), with every default. */
export function paramsJsonSchema(check: CheckType): JsonSchema {
  try {
    const schema = z.toJSONSchema(check.params, {
      io: 'input',
      unrepresentable: 'any',
      override(ctx) {
        const def = (ctx.zodSchema as unknown as { _zod: { def: DefaultDef } })._zod.def;
        if (def.type !== 'default' || ctx.jsonSchema.default !== undefined) return;
        const value = inputDefault(def.innerType, def.defaultValue);
        if (value !== undefined) ctx.jsonSchema.default = value;
      },
    }) as JsonSchema;
    delete schema.$schema;
    return schema;
  } catch {
    return { type: 'object' };
  }
}

export function paramDocs(check: CheckType): ParamDoc[] {
  return fieldDocs(objectBranch(paramsJsonSchema(check)));
}

/** Deep enough for every built-in type (plans → prices); a guard against pathological schemas. */
const MAX_FIELD_DEPTH = 5;

/** The properties of one object schema, each with the fields of the objects it holds. */
function fieldDocs(schema: JsonSchema, depth = 0): ParamDoc[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const nested = depth < MAX_FIELD_DEPTH ? heldObject(prop) : undefined;
    const fields = nested ? fieldDocs(nested, depth + 1) : [];
    return {
      name,
      type: typeName(prop),
      required: required.has(name) && prop.default === undefined,
      ...(prop.default !== undefined ? { default: prop.default } : {}),
      ...(prop.description ? { description: prop.description } : {}),
      ...(fields.length ? { fields } : {}),
    };
  });
}

/**
 * The object a parameter holds, whatever its shape: the object itself, the items of a list, the values of
 * a map, or the object branch of a union (`true` or `{ table, head }`). Several object branches merge; a
 * field is then required only when every branch requires it.
 */
function heldObject(schema: JsonSchema): JsonSchema | undefined {
  const objects: JsonSchema[] = [];
  const visit = (s: JsonSchema | undefined) => {
    if (!s || typeof s !== 'object') return;
    if (s.properties) {
      objects.push(s);
      return;
    }
    for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) visit(branch);
    if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) visit(s.items);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') visit(s.additionalProperties);
  };
  visit(schema);
  if (objects.length <= 1) return objects[0];
  const required = objects.map((o) => new Set(o.required ?? []));
  return {
    properties: Object.assign({}, ...objects.map((o) => o.properties)),
    required: [...required[0]].filter((name) => required.every((r) => r.has(name))),
  };
}

/** A params schema may be a union of object shapes; document the first object branch's properties merged. */
function objectBranch(schema: JsonSchema): JsonSchema {
  if (schema.properties) return schema;
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].filter((b) => b.properties);
  if (!branches.length) return schema;
  return { properties: Object.assign({}, ...branches.map((b) => b.properties)), required: [] };
}

export function typeName(schema: JsonSchema | undefined): string {
  if (!schema) return 'any';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return [...new Set(union.map(typeName))].join(' | ');
  if (schema.type === 'array') {
    const item = typeName(schema.items);
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === 'object') {
    const extra = schema.additionalProperties;
    return extra && typeof extra === 'object' ? `map of ${typeName(extra)}` : 'object';
  }
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

/** The text `readiness explain <type>` prints: also, word for word, the type's section of docs/checks.md. */
export function explainType(check: CheckType, statuses: readonly VerdictStatus[] | undefined = builtinStatuses(check.meta.type)): string {
  const { meta } = check;
  const lines = [
    `${meta.type} — ${meta.title}`,
    '',
    meta.description,
    '',
    meta.active
      ? 'ACTIVE: this check sends or changes something; it runs only when explicitly enabled. Until then it is not verified: a gating one makes the gate INCOMPLETE.'
      : 'Read-only: this check changes nothing on the systems it inspects.',
    '',
  ];
  if (statuses?.length) lines.push(`Statuses it can give: ${statuses.join(', ')}.`, '');
  lines.push(`Title when it does not pass: ${meta.failureTitle}`, '', 'Parameters (under `with:`):', '');
  const params = paramDocs(check);
  if (!params.length) lines.push('- (none)');
  lines.push(...paramLines(params));
  lines.push('', `When it fails: ${meta.remediation}`, '', `Docs: ${meta.docs}`);
  return lines.join('\n');
}

const oneLineText = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** One list item per parameter; the fields of the objects it holds follow, indented (a nested Markdown list). */
function paramLines(params: readonly ParamDoc[], indent = ''): string[] {
  return params.flatMap((p) => {
    const flags = [p.type, p.required ? 'required' : undefined, p.default !== undefined ? `default ${JSON.stringify(p.default)}` : undefined].filter(Boolean).join(', ');
    return [`${indent}- ${p.name} (${flags})${p.description ? `: ${oneLineText(p.description)}` : ''}`, ...paramLines(p.fields ?? [], `${indent}  `)];
  });
}

// ---- statuses a check type can give, read from its module's source --------------------------------

const VERDICT_STATUSES: readonly VerdictStatus[] = ['pass', 'warn', 'fail', 'error', 'skip'];
/** The verdict builders of src/check and the status each returns. */
const BUILDERS: Readonly<Record<string, VerdictStatus>> = { pass: 'pass', warn: 'warn', fail: 'fail', error: 'error', skip: 'skip', notOptedIn: 'skip', failAndUnchecked: 'fail' };
const REPO_ROOT = resolve(CHECKS_DIR, '..');

/** The module file of a built-in type (checks/family/name.ts from source, .js when compiled), if any. */
export function builtinModuleFile(type: string): string | undefined {
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/i.test(type)) return undefined;
  const base = join(CHECKS_DIR, ...type.split('.'));
  return ['.ts', '.js', '.mjs'].map((ext) => base + ext).find((file) => existsSync(file));
}

function builtinStatuses(type: string): VerdictStatus[] | undefined {
  const file = builtinModuleFile(type);
  return file ? possibleStatuses(file) : undefined;
}

/**
 * The verdict statuses a check module can return, found statically: calls of the verdict builders
 * it imports from src/check (pass(), warn(), fail(), error(), skip()) and `status: '…'` literals, in
 * the module and in the project files it imports (helpers such as checks/http/_common or src/db).
 * `pass` and `error` are always included: every check passes when what it verifies holds (often
 * through combine()), and the engine reports a timeout or a crash of any check as `error`.
 */
export function possibleStatuses(file: string, readSource: (file: string) => string | undefined = readIfExists): VerdictStatus[] {
  const found = new Set<VerdictStatus>(['pass', 'error']);
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const source = readSource(path);
    if (source === undefined) return;
    for (const status of statusesInSource(source)) found.add(status);
    for (const spec of relativeImports(source)) {
      const target = resolveImport(path, spec);
      if (target && !isContractFile(target) && target.startsWith(REPO_ROOT + sep)) visit(target);
    }
  };
  visit(file);
  return VERDICT_STATUSES.filter((s) => found.has(s));
}

/** Statuses one source text can produce (no import following). Exported for tests. */
export function statusesInSource(source: string): VerdictStatus[] {
  const code = stripComments(source);
  const found = new Set<VerdictStatus>();
  // Builders imported from the check contract, with their local names (`error as errorVerdict`).
  for (const match of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"][^'"]*\/check(?:\.js|\.ts)?['"]/g)) {
    for (const part of match[1].split(',')) {
      const [imported, local] = part.replace(/^\s*type\s+/, '').split(/\s+as\s+/).map((x) => x.trim());
      if (!Object.hasOwn(BUILDERS, imported) || /^\s*type\s/.test(part)) continue;
      const name = local || imported;
      if (new RegExp(`(?<![\\w$])(?<![^.]\\.)${name.replace(/\$/g, '\\$')}\\s*\\(`).test(code.replace(match[0], ''))) found.add(BUILDERS[imported]);
    }
  }
  for (const match of code.matchAll(/\bstatus\s*:\s*([^,;}\n]+)/g)) {
    for (const literal of match[1].matchAll(/['"](pass|warn|fail|error|skip)['"]/g)) found.add(literal[1] as VerdictStatus);
  }
  return VERDICT_STATUSES.filter((s) => found.has(s));
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

function relativeImports(source: string): string[] {
  const specs: string[] = [];
  for (const match of source.matchAll(/(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g)) {
    if (/^(?:import|export)\s+type\s/.test(match[0])) continue;
    specs.push(match[1]);
  }
  return specs;
}

function resolveImport(from: string, spec: string): string | undefined {
  const target = resolve(dirname(from), spec);
  const candidates = target.endsWith('.js') ? [target.slice(0, -3) + '.ts', target] : [target, `${target}.ts`, `${target}.js`];
  return candidates.find((file) => existsSync(file));
}

/** src/check: defines every builder, so following it would claim every status. */
const isContractFile = (file: string) => /[\\/]src[\\/]check\.(ts|js)$/.test(file);

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
