// Which check covers which checklist item, and the problems that break "every item exactly once":
// items nobody covers, items covered by two checks, and `covers:` entries that name no real item.
import { closest } from '../engine/registry.js';
import type { ChecklistItem } from './checklist.js';
import type { CoveringCheck } from './profile-checks.js';

/** automated: checkable from CI or the deploy host; host: run on the production server; manual: a person attests. */
export type CoverageKind = 'automated' | 'host' | 'manual';
export const COVERAGE_KINDS: readonly CoverageKind[] = ['automated', 'host', 'manual'];

export function kindOf(check: Pick<CoveringCheck, 'type' | 'tags'>): CoverageKind {
  if (check.type === 'manual') return 'manual';
  if (check.tags.includes('host')) return 'host';
  return 'automated';
}

export interface CoverageRow {
  item: ChecklistItem;
  /** Normally exactly one. */
  checks: CoveringCheck[];
}

export interface UnknownCover {
  checkId: string;
  key: string;
  suggestion?: string;
}

export interface Coverage {
  rows: CoverageRow[];
  uncovered: ChecklistItem[];
  duplicated: CoverageRow[];
  unknown: UnknownCover[];
  /** Items per kind (items covered exactly once only). */
  counts: Record<CoverageKind, number>;
}

export function computeCoverage(items: readonly ChecklistItem[], checks: readonly CoveringCheck[]): Coverage {
  const byKey = new Map(items.map((item) => [item.key, [] as CoveringCheck[]]));
  const unknown: UnknownCover[] = [];
  const keys = items.map((i) => i.key);
  for (const check of checks) {
    for (const key of check.covers) {
      const list = byKey.get(key);
      if (list) {
        // The same check naming an item twice is still one check covering it.
        if (!list.includes(check)) list.push(check);
      } else {
        unknown.push({ checkId: check.id, key, ...suggest(key, keys) });
      }
    }
  }
  const rows = items.map((item) => ({ item, checks: byKey.get(item.key)! }));
  const counts: Record<CoverageKind, number> = { automated: 0, host: 0, manual: 0 };
  for (const row of rows) if (row.checks.length === 1) counts[kindOf(row.checks[0])]++;
  return {
    rows,
    uncovered: rows.filter((r) => r.checks.length === 0).map((r) => r.item),
    duplicated: rows.filter((r) => r.checks.length > 1),
    unknown,
    counts,
  };
}

function suggest(key: string, keys: string[]): { suggestion?: string } {
  const lower = key.toLowerCase();
  const exactish = keys.find((k) => k.toLowerCase() === lower);
  const found = exactish ?? closest(key, keys) ?? keys.find((k) => k.endsWith(key.split(' / ').pop() ?? key));
  return found ? { suggestion: found } : {};
}

/** One plain sentence per problem; empty when every item is covered exactly once. */
export function coverageProblems(coverage: Coverage): string[] {
  return [
    ...coverage.uncovered.map((item) => `not covered by any check: "${item.key}" (checklist line ${item.line})`),
    ...coverage.duplicated.map((row) => `covered ${row.checks.length} times: "${row.item.key}" by ${row.checks.map((c) => c.id).join(', ')}`),
    ...coverage.unknown.map((u) => `check ${u.checkId} covers "${u.key}", which is not a checklist item${u.suggestion ? ` — did you mean "${u.suggestion}"?` : ''}`),
  ];
}
