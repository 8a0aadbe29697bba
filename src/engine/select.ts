// --only / --skip: ids, globs (`db.*`), `tag:NAME`, `type:GLOB`, `section:GLOB`. --only adds what the selection needs.
import picomatch from 'picomatch';
import type { ResolvedCheck } from '../profile/load.js';
import { closest } from './registry.js';

export class SelectionError extends Error {}

type Matcher = (check: ResolvedCheck) => boolean;

function matcherFor(pattern: string): Matcher {
  const [kind, rest] = pattern.includes(':') ? [pattern.slice(0, pattern.indexOf(':')), pattern.slice(pattern.indexOf(':') + 1)] : ['id', pattern];
  const glob = (value: string) => picomatch(value, { nocase: true, dot: true });
  switch (kind) {
    case 'tag': {
      const is = glob(rest);
      return (c) => c.tags.some((t) => is(t));
    }
    case 'type': {
      const is = glob(rest);
      return (c) => is(c.type);
    }
    case 'section': {
      const is = glob(rest);
      return (c) => is(c.section);
    }
    case 'severity':
      return (c) => c.severity === rest;
    default: {
      const is = glob(pattern);
      return (c) => c.id === pattern || is(c.id);
    }
  }
}

/** Splits repeated and comma-separated flag values into patterns. */
export function splitPatterns(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function selectChecks(checks: ResolvedCheck[], only: string[], skip: string[]): Set<string> {
  const ids = checks.map((c) => c.id);
  const apply = (patterns: string[]) => {
    const chosen = new Set<string>();
    for (const pattern of patterns) {
      const matches = checks.filter(matcherFor(pattern));
      if (!matches.length) {
        const suggestion = pattern.startsWith('tag:')
          ? closest(pattern.slice(4), [...new Set(checks.flatMap((c) => c.tags))])?.replace(/^/, 'tag:')
          : closest(pattern, ids);
        throw new SelectionError(`no check matches "${pattern}"${suggestion ? ` — did you mean "${suggestion}"?` : ''} (see \`readiness list\`)`);
      }
      for (const m of matches) chosen.add(m.id);
    }
    return chosen;
  };

  let selected = only.length ? apply(only) : new Set(ids);
  if (only.length) {
    // A selected check runs with the checks it needs, or it would only ever be "blocked".
    const byId = new Map(checks.map((c) => [c.id, c]));
    const queue = [...selected];
    while (queue.length) {
      for (const need of byId.get(queue.pop()!)?.needs ?? []) {
        if (!selected.has(need)) {
          selected.add(need);
          queue.push(need);
        }
      }
    }
  }
  if (skip.length) {
    const skipped = apply(skip);
    selected = new Set([...selected].filter((id) => !skipped.has(id)));
  }
  return selected;
}
