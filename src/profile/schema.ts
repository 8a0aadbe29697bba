// The shape of a profile file. Unknown keys anywhere are errors (a typo must never be ignored).
import { z } from 'zod';
import { parseDuration, DURATION_HINT } from '../duration.js';
import { SEVERITIES } from '../report/model.js';

export const CHECK_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;

const durationText = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, { message: `expected ${DURATION_HINT}` })
  .describe(`Duration: ${DURATION_HINT}; a bare number is seconds.`);

/** `YYYY-MM-DD` that is a real calendar date (2026-02-30 is rejected, not rolled over). */
export const isoDate = z.string().superRefine((text, ctx) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'expected a date as YYYY-MM-DD' });
    return;
  }
  const date = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || !date.toISOString().startsWith(text)) ctx.addIssue({ code: 'custom', message: 'not a real calendar date' });
});

export const severitySchema = z.enum(SEVERITIES as unknown as ['critical', 'recommended', 'optional']);

export const waiverSchema = z
  .object({
    reason: z.string().min(1).describe('Why the failure is accepted.'),
    until: isoDate.describe('Last day the waiver applies (YYYY-MM-DD, inclusive, UTC); the check gates again after it.'),
    by: z.string().optional().describe('Who accepted it.'),
  })
  .strict();

export const checkEntrySchema = z
  .object({
    type: z.string().min(1).describe('Check type (see `readiness explain <type>`), or a path to a custom module: ./checks/my-check.js'),
    title: z.string().min(1).optional().describe("Shown in reports; defaults to the type's title."),
    section: z.string().min(1).optional().describe('Grouping in reports, e.g. "Infrastructure / Database".'),
    description: z.string().optional().describe("Why this check matters here; defaults to the type's description."),
    remediation: z.string().optional().describe("What to do when it fails; defaults to the type's remediation."),
    severity: severitySchema.optional().describe('critical | recommended | optional (default from defaults.severity).'),
    tags: z.array(z.string().min(1)).optional().describe('Labels for selection: --only tag:NAME.'),
    needs: z.union([z.string(), z.array(z.string())]).optional().describe('Checks that must pass first; otherwise this one is skipped as blocked.'),
    timeout: durationText.optional(),
    retries: z.number().int().min(0).max(10).optional().describe('Extra attempts after a fail or error, with a short backoff.'),
    waiver: waiverSchema.optional().describe('Accept a failure until a date.'),
    skip: z.union([z.boolean(), z.string()]).optional().describe('Do not run; a string gives the reason shown in reports.'),
    covers: z.array(z.string().min(1)).optional().describe('Items of an external checklist this check verifies (for coverage tables).'),
    with: z.record(z.string(), z.unknown()).optional().describe("Parameters, validated by the type's schema. Strings may use ${VAR}, ${VAR:-default}, ${VAR:?message}."),
  })
  .strict();

/** An overlay entry in a profile that extends another may change only some fields. */
export const checkOverlaySchema = checkEntrySchema.partial();

export const defaultsSchema = z
  .object({
    timeout: durationText.optional().describe('Per-check timeout (default 10s).'),
    retries: z.number().int().min(0).max(10).optional(),
    severity: severitySchema.optional(),
  })
  .strict();

export const profileFileSchema = z
  .object({
    version: z.literal(1, { error: 'expected 1, the profile format this version of readiness reads' }).describe('Profile format version: 1.'),
    name: z.string().min(1).optional(),
    extends: z.union([z.string(), z.array(z.string())]).optional().describe('Profiles this one builds on: paths, or bundled profile names (e.g. saas).'),
    env_files: z.array(z.string()).optional().describe('dotenv files loaded before interpolation (relative to this file).'),
    secrets: z.array(z.string()).optional().describe('Extra variable names whose values are secret and masked in every output.'),
    defaults: defaultsSchema.optional(),
    attestations: z.string().min(1).optional().describe('File where manual items are attested (default .readiness/attestations.yaml, relative to this profile).'),
    signoff: z
      .object({ roles: z.array(z.string().min(1)).min(1).describe('Roles whose sign-off a release needs, e.g. [Technical Lead, DevOps Engineer].') })
      .strict()
      .optional(),
    checks: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type CheckEntry = z.infer<typeof checkEntrySchema>;
export type ProfileFile = z.infer<typeof profileFileSchema>;
