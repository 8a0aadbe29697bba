import { relative } from 'node:path';
import { weakerNeeds } from '../profile/lint.js';
import { createOutput } from '../write.js';
import { EXIT } from './errors.js';
import { loadForCommand, type ProfileOptions } from './profile.js';

export async function validateCommand(options: ProfileOptions): Promise<number> {
  const out = createOutput();
  const profile = await loadForCommand(options, out);
  if (!profile) return EXIT.usage;
  const types = new Set(profile.checks.map((c) => c.type));
  const notReady = profile.checks.filter((c) => c.envProblems.length);
  out.stdout(`✔ ${relative(process.cwd(), profile.path) || profile.path} is valid: ${profile.checks.length} checks of ${types.size} types.`);
  for (const note of profile.notes) out.stdout(`  note: ${note}`);
  for (const weak of weakerNeeds(profile.checks)) out.stdout(`  warning: ${weak.message}`);
  for (const check of notReady) {
    out.stdout(`  note: ${check.id} will fail until the environment is ready: ${check.envProblems.map((p) => `${p.message} (${p.path})`).join('; ')}`);
  }
  return EXIT.ok;
}
