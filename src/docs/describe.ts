// Human documentation of a check type from its metadata and parameter schema: used by
// `readiness explain`, the generated docs/checks.md and the profile's JSON Schema.
import { z } from 'zod';
import type { CheckType } from '../check.js';

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
}

/** JSON Schema of what a user may write under `with:` (the input side of the zod schema). */
export function paramsJsonSchema(check: CheckType): JsonSchema {
  try {
    const schema = z.toJSONSchema(check.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    delete schema.$schema;
    return schema;
  } catch {
    return { type: 'object' };
  }
}

export function paramDocs(check: CheckType): ParamDoc[] {
  const schema = objectBranch(paramsJsonSchema(check));
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => ({
    name,
    type: typeName(prop),
    required: required.has(name) && prop.default === undefined,
    ...(prop.default !== undefined ? { default: prop.default } : {}),
    ...(prop.description ? { description: prop.description } : {}),
  }));
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
  if (schema.type === 'array') return `${typeName(schema.items)}[]`;
  if (schema.type === 'object') {
    const extra = schema.additionalProperties;
    return extra && typeof extra === 'object' ? `map of ${typeName(extra)}` : 'object';
  }
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

/** The text `readiness explain <type>` prints. */
export function explainType(check: CheckType): string {
  const { meta } = check;
  const lines = [
    `${meta.type} — ${meta.title}`,
    '',
    meta.description,
    '',
    meta.active ? 'ACTIVE: this check sends or changes something; it runs only when explicitly enabled.' : 'Read-only: this check changes nothing on the systems it inspects.',
    '',
    'Parameters (under `with:`):',
  ];
  const params = paramDocs(check);
  if (!params.length) lines.push('  (none)');
  for (const p of params) {
    const flags = [p.type, p.required ? 'required' : undefined, p.default !== undefined ? `default ${JSON.stringify(p.default)}` : undefined].filter(Boolean).join(', ');
    lines.push(`  ${p.name} (${flags})${p.description ? `\n      ${p.description}` : ''}`);
  }
  lines.push('', `When it fails: ${meta.remediation}`, `Docs: ${meta.docs}`);
  return lines.join('\n');
}
