// Every check type documents itself: a check without a title, remediation or described parameters
// would leave an engineer with a failure and no idea what to do.
import { describe, expect, it } from 'vitest';
import { paramDocs, type ParamDoc } from '../../src/docs/describe.js';
import { builtinTypes, loadCheckType } from '../../src/engine/registry.js';

const types = builtinTypes();

describe('check type metadata', () => {
  it('finds the built-in check types by convention', () => {
    expect(types).toEqual(expect.arrayContaining(['env.vars', 'file', 'command', 'http.endpoint']));
  });

  it.each(types)('%s has complete metadata and documented parameters', async (type) => {
    const check = await loadCheckType(type);
    const { meta } = check;
    expect(meta.type).toBe(type);
    for (const field of ['title', 'failureTitle', 'description', 'remediation', 'docs'] as const) {
      expect(typeof meta[field], field).toBe('string');
      expect(meta[field].trim().length, field).toBeGreaterThan(field === 'docs' ? 5 : 10);
    }
    expect(meta.title).not.toBe(meta.failureTitle);
    expect(meta.docs).toBe(`docs/checks.md#${type.replace(/\./g, '-')}`);
    expect(typeof check.run).toBe('function');
    expect(typeof check.params.safeParse).toBe('function');
    // Fields of nested objects (plans → prices, {table, head}…) are documented too.
    const walk = (params: ParamDoc[], path: string): void => {
      for (const param of params) {
        expect(param.description, `${type} ${path}.${param.name}`).toBeTruthy();
        walk(param.fields ?? [], `${path}.${param.name}`);
      }
    };
    walk(paramDocs(check), 'with');
    if (meta.active) expect(meta.description).toMatch(/opt-in|opt in|explicit/i);
  });
});
