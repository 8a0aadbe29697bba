// "Did you mean" for an unknown key: the keys an object schema accepts at a path, and the nearest one.
import type { z } from 'zod';
import { closest } from '../engine/registry.js';

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  in?: AnySchema;
  out?: AnySchema;
  innerType?: AnySchema;
  options?: AnySchema[];
  element?: AnySchema;
  valueType?: AnySchema;
  left?: AnySchema;
  right?: AnySchema;
  getter?: () => AnySchema;
}

const defOf = (schema: AnySchema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas reachable at `path` (unions may give several), looking through wrappers and pipes. */
function objectsAt(schema: AnySchema, path: readonly (string | number)[], depth = 0): Def[] {
  if (depth > 40) return [];
  const def = defOf(schema);
  const next = (s: AnySchema | undefined, p = path) => (s ? objectsAt(s, p, depth + 1) : []);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
    case 'success':
      return next(def.innerType);
    case 'pipe':
      // A transform's input is what the profile author writes.
      return defOf(def.in as AnySchema).type === 'transform' ? next(def.out) : next(def.in);
    case 'lazy':
      return def.getter ? next(def.getter()) : [];
    case 'union':
      return (def.options ?? []).flatMap((o) => next(o));
    case 'intersection':
      return [...next(def.left), ...next(def.right)];
    case 'object': {
      if (path.length === 0) return [def];
      const [head, ...rest] = path;
      const child = def.shape?.[String(head)];
      return child ? next(child, rest) : [];
    }
    case 'array':
      return path.length === 0 ? [] : next(def.element, path.slice(1));
    case 'record':
      return path.length === 0 ? [] : next(def.valueType, path.slice(1));
    default:
      return [];
  }
}

/** Every key an object in `schema` at `path` accepts. */
export function knownKeysAt(schema: AnySchema, path: readonly (string | number)[]): string[] {
  const keys = new Set<string>();
  for (const def of objectsAt(schema, path)) for (const key of Object.keys(def.shape ?? {})) keys.add(key);
  return [...keys];
}

/** ` — did you mean "min_bits"?` when an accepted key is near `key`, else ''. */
export function didYouMeanKey(schema: AnySchema, path: readonly (string | number)[], key: string): string {
  const known = knownKeysAt(schema, path).filter((k) => k !== key);
  const normalized = key.toLowerCase().replace(/-/g, '_');
  // A key that only lacks a unit or qualifier (`delay` → `delay_ms`) is the likely one when unique.
  const extended = known.filter((k) => k.toLowerCase().startsWith(`${normalized}_`));
  const suggestion = known.find((k) => k.toLowerCase() === normalized) ?? closest(key, known) ?? (extended.length === 1 ? extended[0] : undefined);
  return suggestion ? ` — did you mean "${suggestion}"?` : '';
}
