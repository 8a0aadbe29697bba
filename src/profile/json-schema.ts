// JSON Schema of the profile format for editors (`# yaml-language-server: $schema=…`):
// the file structure plus, per check type, the schema of its `with:` parameters.
import { z } from 'zod';
import type { CheckType } from '../check.js';
import { paramsJsonSchema, type JsonSchema } from '../docs/describe.js';
import { checkEntrySchema, profileFileSchema } from './schema.js';

export function profileJsonSchema(checks: CheckType[]): JsonSchema {
  const root = z.toJSONSchema(profileFileSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const entry = z.toJSONSchema(checkEntrySchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete entry.$schema;
  const types = checks.map((c) => c.meta.type);
  entry.properties!.type = {
    anyOf: [
      { enum: types, description: 'A built-in check type' },
      { type: 'string', pattern: '^(\\./|\\.\\./|/)', description: 'A custom check module path' },
    ],
  };
  entry.allOf = checks.map((c) => ({
    if: { properties: { type: { const: c.meta.type } }, required: ['type'] },
    then: { properties: { with: { ...paramsJsonSchema(c), description: c.meta.description } } },
  }));
  root.properties!.checks = {
    type: 'object',
    description: 'Checks by id. `id: false` drops a check inherited through extends.',
    additionalProperties: { anyOf: [entry, { const: false }] },
  };
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'readiness profile', ...root };
}
