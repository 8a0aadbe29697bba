// `readiness init`: a starter profile. With --template, a readiness.yaml that extends a bundled profile
// (saas, minimal) and an .env.example listing every variable that profile reads.
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { BUNDLED_PROFILES_DIR } from '../paths.js';
import { loadProfile, ProfileErrors, type Profile, type ResolvedCheck } from '../profile/load.js';
import { createOutput } from '../write.js';
import { EXIT, UsageError } from './errors.js';

export const STARTER_PROFILE = `# readiness profile — run \`readiness check\`; \`readiness explain <type>\` documents each check type.
# Editor completion: \`readiness schema -o readiness.schema.json\`, then keep the next line.
# yaml-language-server: $schema=./readiness.schema.json
version: 1
name: My service — production
env_files: [.env]
defaults: { timeout: 10s, retries: 0, severity: critical }

checks:
  env.required:
    type: env.vars
    section: Environment
    title: The production environment is configured
    remediation: Set APP_ENV=production and DATABASE_URL in .env or in the deploy environment.
    with:
      required: [APP_ENV, DATABASE_URL]
      equals: { APP_ENV: production }

  backend.health:
    type: http.endpoint
    section: Backend
    title: The backend health endpoint answers 200 within 2s
    needs: [env.required]
    with:
      url: \${BACKEND_URL:-http://localhost:8000}/health
      status: 200
      max_response_time: 2s

  tools.node:
    type: command
    section: Host
    title: Node.js 18 or newer
    severity: recommended
    with:
      argv: [node, --version]
      version: ">=18"
`;

export const TEMPLATES = ['saas', 'minimal'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface InitOptions {
  profile: string;
  force?: boolean;
  template?: string;
}

export async function initCommand(options: InitOptions, internal: { templatesDir?: string } = {}): Promise<number> {
  const out = createOutput();
  if (options.template !== undefined) return initFromTemplate(options, internal.templatesDir ?? BUNDLED_PROFILES_DIR, out);
  if (existsSync(options.profile) && !options.force) {
    throw new UsageError(`${options.profile} already exists; use --force to overwrite it`);
  }
  out.file(options.profile, STARTER_PROFILE);
  out.stdout(`wrote ${options.profile} — edit it, then run: readiness check${options.profile === 'readiness.yaml' ? '' : ` -p ${options.profile}`}`);
  return EXIT.ok;
}

const TEMPLATE_TEXT: Record<TemplateName, { title: string; name: string }> = {
  saas: { title: 'the SaaS production-readiness checklist (every item automated or attested)', name: 'My SaaS — production' },
  minimal: { title: 'a small start: environment, health endpoints, a manual launch item', name: 'My service — production' },
};

export function templateProfile(template: TemplateName): string {
  const { title, name } = TEMPLATE_TEXT[template];
  return `# readiness profile extending the bundled "${template}" profile: ${title}.
# \`readiness list\` shows every check it brings; \`readiness explain <id>\` what one verifies and how to fix it.
# Variables: see .env.example (copy it to .env, which env_files loads, or set them in the deploy environment).
# Change an inherited check by repeating its id with only the fields to change; remove one with \`<id>: false\`.
# Manual items: \`readiness attest --list\`, then \`readiness attest <id> --by <name>\` (commit .readiness/).
version: 1
name: ${name}
extends: ${template}
env_files: [.env]

# Overrides of inherited checks go under checks (replace the {}), for example:
#   backend.health:
#     severity: recommended
#   some.check: false        # a check this deployment does not need
checks: {}
`;
}

async function initFromTemplate(options: InitOptions, templatesDir: string, out: ReturnType<typeof createOutput>): Promise<number> {
  const template = options.template as TemplateName;
  if (!(TEMPLATES as readonly string[]).includes(template)) throw new UsageError(`--template ${options.template}: expected one of ${TEMPLATES.join(', ')}`);
  const templatePath = join(templatesDir, `${template}.yaml`);
  if (!existsSync(templatePath)) throw new UsageError(`the bundled profile "${template}" is missing (${templatePath}); reinstall readiness`);
  const envExample = join(dirname(options.profile), '.env.example');
  const existing = [options.profile, envExample].filter((p) => existsSync(p));
  if (existing.length && !options.force) {
    throw new UsageError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; use --force to overwrite`);
  }
  // The new profile only extends the template, so the template alone says which variables it reads.
  let resolved: Profile;
  try {
    resolved = await loadProfile(templatePath, { env: {} });
  } catch (err) {
    if (err instanceof ProfileErrors) throw new Error(`the bundled profile "${template}" does not load:\n${err.message}`);
    throw err;
  }
  const profileName = relative(process.cwd(), resolve(options.profile)) || options.profile;
  out.file(options.profile, templateProfile(template));
  out.file(envExample, renderEnvExample(resolved, { profileFile: basename(options.profile), template }));
  const count = collectVariables(resolved.checks).length;
  out.stdout(`wrote ${profileName} (extends ${template}, ${resolved.checks.length} checks) and ${relative(process.cwd(), resolve(envExample)) || envExample} (${count} variables)`);
  out.stdout(`next: cp .env.example .env, fill it in, then run: readiness check${profileName === 'readiness.yaml' ? '' : ` -p ${profileName}`}`);
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------------
// .env.example

/** One variable the profile reads, with what reads it and what the profile says about it. */
export interface VariableInfo {
  name: string;
  /** Section of the first check that reads it (for grouping). */
  section: string;
  /** `check-id (with.param)` for each use. */
  usedBy: string[];
  /** Defaults the profile gives (`${VAR:-default}`); empty when none. */
  defaults: string[];
  /** True when some use has no default: it must be set. */
  required: boolean;
  /** Value an env.vars check expects (`equals`), when one does. */
  expected?: string;
  /** Allowed values an env.vars check lists (`one_of`). */
  allowed?: string[];
  /** Messages the profile gives for it (`${VAR:?message}`). */
  messages: string[];
  /** Variables looked at instead, in order (params named *_env that list several). */
  alternatives?: string[];
  /** The title of a check that names the variable, e.g. "The application repository is here (APP_DIR)". */
  mentionedIn?: string;
  /** Title of the first check that reads it. */
  firstTitle: string;
}

const ENV_VARS_KEYS = ['required', 'equals', 'one_of', 'matches', 'urls', 'secrets'] as const;

/** Every variable the checks read: `${VAR}` references, names an env.vars check tests, and params naming variables (*_env, secrets.strength names). */
export function collectVariables(checks: readonly ResolvedCheck[]): VariableInfo[] {
  const byName = new Map<string, VariableInfo>();
  const note = (name: string, check: ResolvedCheck, use: string, extra: { default?: string; required?: boolean; message?: string; expected?: string; allowed?: string[]; alternatives?: string[] } = {}) => {
    let info = byName.get(name);
    if (!info) {
      info = { name, section: check.section, usedBy: [], defaults: [], required: false, messages: [], firstTitle: check.title ?? check.check.meta.title };
      byName.set(name, info);
    }
    if (!info.mentionedIn && check.title && new RegExp(`\\b${name}\\b`).test(check.title)) info.mentionedIn = check.title;
    const at = info.usedBy.findIndex((u) => u.startsWith(`${check.id} (`));
    if (at === -1) info.usedBy.push(`${check.id} (${use})`);
    else if (!info.usedBy[at].slice(check.id.length + 2, -1).split(', ').includes(use)) info.usedBy[at] = `${info.usedBy[at].slice(0, -1)}, ${use})`;
    if (extra.default !== undefined && !info.defaults.includes(extra.default)) info.defaults.push(extra.default);
    if (extra.required) info.required = true;
    if (extra.message && !info.messages.includes(extra.message)) info.messages.push(extra.message);
    if (extra.expected !== undefined) info.expected ??= extra.expected;
    if (extra.allowed) info.allowed ??= extra.allowed;
    if (extra.alternatives) info.alternatives ??= extra.alternatives;
  };
  for (const check of checks) {
    for (const use of check.variables ?? []) {
      note(use.name, check, use.path, { default: use.default, required: use.default === undefined, message: use.message });
    }
    const params = check.params as Record<string, unknown> | undefined;
    if (!params || typeof params !== 'object') continue;
    if (check.type === 'env.vars' && params.file === undefined) {
      for (const key of ENV_VARS_KEYS) {
        const value = params[key];
        const names = Array.isArray(value) ? (value as string[]) : value && typeof value === 'object' ? Object.keys(value) : [];
        for (const name of names) {
          const rule = !Array.isArray(value) && value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
          note(name, check, `with.${key}`, {
            required: true,
            ...(key === 'equals' ? { expected: String(rule) } : {}),
            ...(key === 'one_of' && Array.isArray(rule) ? { allowed: rule.map(String) } : {}),
          });
        }
      }
    }
    for (const [key, value] of Object.entries(params)) {
      const names = key.endsWith('_env') ? (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []) : [];
      if (check.type === 'secrets.strength' && key === 'names' && Array.isArray(value)) names.push(...value.filter((v): v is string => typeof v === 'string'));
      if (!names.length) continue;
      // A list looked at in order: the first is the one to set, the rest are accepted alternatives.
      const lookedAtInOrder = key.endsWith('_env') && names.length > 1;
      if (lookedAtInOrder) note(names[0], check, `with.${key}`, { alternatives: names.slice(1) });
      else for (const name of names) note(name, check, `with.${key}`, { required: check.type === 'secrets.strength' });
    }
  }
  return [...byName.values()];
}

/** What a well-known variable (named as in the SaaS checklist) is for. */
export const KNOWN_VARIABLES: Record<string, string> = {
  APP_ENV: 'Deployment environment; production for a release.',
  DEBUG: 'Debug mode; must be false in production.',
  LOG_LEVEL: 'Application log level (info or warning in production).',
  DATABASE_URL: 'PostgreSQL connection URL, e.g. postgresql://app:PASSWORD@db.internal:5432/app.',
  REDIS_HOST: 'Redis host name.',
  REDIS_PORT: 'Redis port (6379 by default).',
  REDIS_PASSWORD: 'Redis password (requirepass); strong in production.',
  REDIS_URL: 'Redis connection URL, e.g. rediss://:PASSWORD@cache.internal:6379/0.',
  JWT_PRIVATE_KEY_PATH: 'Path to the PEM private key that signs JWTs (RSA 2048+).',
  JWT_PUBLIC_KEY_PATH: 'Path to the PEM public key that verifies JWTs.',
  JWT_ALGORITHM: 'JWT signing algorithm; RS256.',
  STRIPE_SECRET_KEY: 'Stripe secret key (sk_live_… in production).',
  STRIPE_PUBLISHABLE_KEY: 'Stripe publishable key (pk_live_… in production).',
  STRIPE_WEBHOOK_SECRET: 'Stripe webhook signing secret (whsec_…).',
  FRONTEND_URL: 'Public URL of the front end, e.g. https://app.example.com.',
  BACKEND_URL: 'Public URL of the backend API, e.g. https://api.example.com.',
  NEXT_PUBLIC_API_URL: 'API URL the front end calls (build-time, public).',
  NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: 'Stripe publishable key the front end uses (pk_live_…).',
  NEXT_PUBLIC_APP_URL: 'Public URL of the app, as the front end knows it.',
  SESSION_SECRET_KEY: 'Session signing secret: 32+ random characters.',
  CSRF_SECRET_KEY: 'CSRF token secret: 32+ random characters, different from the session secret.',
  EMAIL_FROM: 'Sender address of transactional email, e.g. no-reply@example.com.',
  EMAIL_PROVIDER: 'Email provider: smtp, sendgrid or ses.',
  SENDGRID_API_KEY: 'SendGrid API key (SG.…).',
  SMTP_HOST: 'SMTP server host.',
  SMTP_PORT: 'SMTP server port (587 for STARTTLS, 465 for TLS).',
  SMTP_USER: 'SMTP user name.',
  SMTP_PASSWORD: 'SMTP password.',
  AWS_REGION: 'AWS region of the SES account, e.g. eu-west-1.',
  DOMAIN: 'The production domain, e.g. example.com.',
};

/** Checks named per variable in .env.example before "and N more checks". */
const MAX_READERS = 4;

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY)(_|$)/i;

/** The text of .env.example: each variable under its section, with what it is for, what reads it, its default. */
export function renderEnvExample(profile: Pick<Profile, 'name' | 'checks'>, options: { profileFile: string; template?: string }): string {
  const variables = collectVariables(profile.checks);
  const lines = [
    `# Environment for ${options.profileFile}${options.template ? ` (extends the bundled "${options.template}" profile)` : ''}: every variable its checks read.`,
    '# Copy to .env (loaded through env_files) or set these in the deploy environment. Never commit real values.',
    '# Uncommented lines have no default in the profile: set them. Commented lines show the default used when unset.',
  ];
  const sections = new Map<string, VariableInfo[]>();
  for (const v of variables) sections.set(v.section, [...(sections.get(v.section) ?? []), v]);
  for (const [section, list] of sections) {
    lines.push('', `# ── ${section} ──`);
    for (const v of list) {
      lines.push('');
      lines.push(`# ${v.name}: ${KNOWN_VARIABLES[v.name] ?? v.messages[0] ?? v.mentionedIn ?? `for "${v.firstTitle}"`}`);
      const facts: string[] = [];
      if (v.expected !== undefined) facts.push(`expected: ${v.expected}`);
      if (v.allowed) facts.push(`one of: ${v.allowed.join(', ')}`);
      if (v.alternatives?.length) facts.push(`or set one of: ${v.alternatives.join(', ')}`);
      if (v.defaults.length) facts.push(`default: ${v.defaults.map((d) => (d === '' ? '(empty)' : d)).join(' / ')}${v.required ? ' (some checks need it set)' : ''}`);
      const readers = v.usedBy.length > MAX_READERS ? `${v.usedBy.slice(0, MAX_READERS - 1).join(', ')} and ${v.usedBy.length - MAX_READERS + 1} more checks` : v.usedBy.join(', ');
      lines.push(`# read by ${readers}${facts.length ? `; ${facts.join('; ')}` : ''}`);
      const value = v.expected !== undefined && !SECRET_NAME.test(v.name) ? v.expected : '';
      if (!v.required && v.defaults.length) lines.push(`# ${v.name}=${v.defaults[0]}`);
      else if (!v.required && v.alternatives) lines.push(`# ${v.name}=`);
      else lines.push(`${v.name}=${value}`);
    }
  }
  if (!variables.length) lines.push('', '# (this profile reads no environment variables)');
  return `${lines.join('\n')}\n`;
}
