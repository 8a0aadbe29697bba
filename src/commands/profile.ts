// Loading the profile for a command, turning profile problems into clear lines on stderr (exit 2).
import { existsSync } from 'node:fs';
import { loadProfile, ProfileErrors, type Profile } from '../profile/load.js';
import { makeRedactor } from '../redact.js';
import type { Output } from '../write.js';

export interface ProfileOptions {
  profile: string;
  envFile?: string[];
}

/** The profile, or undefined after printing every problem with it. */
export async function loadForCommand(options: ProfileOptions, out: Output): Promise<Profile | undefined> {
  if (!existsSync(options.profile)) {
    const hint = options.profile === 'readiness.yaml' ? ' (run `readiness init` to create one, or pass -p <file>)' : '';
    out.stderr(`readiness: profile ${options.profile} not found${hint}`);
    return undefined;
  }
  try {
    const profile = await loadProfile(options.profile, { envFiles: options.envFile });
    out.setRedactor(makeRedactor(profile.env, profile.secretNames));
    return profile;
  } catch (err) {
    if (!(err instanceof ProfileErrors)) throw err;
    // Redact with what we know (the process environment): a bad value may come from a secret variable.
    out.setRedactor(makeRedactor(process.env));
    const count = err.errors.length;
    out.stderr(err.errors.map((e) => e.format()).join('\n'));
    out.stderr(`readiness: ${count} problem${count > 1 ? 's' : ''} in the profile; nothing was run.`);
    return undefined;
  }
}
