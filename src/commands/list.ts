import { createOutput } from '../write.js';
import { EXIT } from './errors.js';
import { loadForCommand, type ProfileOptions } from './profile.js';

export async function listCommand(options: ProfileOptions & { json?: boolean }): Promise<number> {
  const out = createOutput();
  const profile = await loadForCommand(options, out);
  if (!profile) return EXIT.usage;
  const rows = profile.checks.map((c) => ({ id: c.id, type: c.type, severity: c.severity, section: c.section, tags: c.tags, needs: c.needs }));
  if (options.json) {
    out.stdout(JSON.stringify(rows, null, 2));
    return EXIT.ok;
  }
  out.stdout(formatTable(['ID', 'TYPE', 'SEVERITY', 'SECTION', 'TAGS'], rows.map((r) => [r.id, r.type, r.severity, r.section, r.tags.join(',')])));
  out.stdout(`${rows.length} checks`);
  return EXIT.ok;
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
