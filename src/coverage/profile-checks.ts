// Reads the checks of a profile file for the coverage table: id, type, tags, severity, section, covers.
// Plain YAML reading (no check modules loaded), so the table can be built even when a check type is
// still missing or the environment is empty.
import { parse } from 'yaml';

export interface CoveringCheck {
  id: string;
  type: string;
  tags: string[];
  severity?: string;
  section?: string;
  covers: string[];
}

export class ProfileChecksError extends Error {}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export function readProfileChecks(yamlText: string): CoveringCheck[] {
  let data: unknown;
  try {
    data = parse(yamlText);
  } catch (err) {
    throw new ProfileChecksError(`profile is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const checks = (data as { checks?: unknown } | null)?.checks;
  if (!checks || typeof checks !== 'object' || Array.isArray(checks)) throw new ProfileChecksError('profile has no `checks:` map');
  return Object.entries(checks as Record<string, unknown>).flatMap(([id, value]) => {
    if (!value || typeof value !== 'object') return [];
    const entry = value as Record<string, unknown>;
    return [
      {
        id,
        type: typeof entry.type === 'string' ? entry.type : '',
        tags: strings(entry.tags),
        ...(typeof entry.severity === 'string' ? { severity: entry.severity } : {}),
        ...(typeof entry.section === 'string' ? { section: entry.section } : {}),
        covers: strings(entry.covers),
      },
    ];
  });
}
