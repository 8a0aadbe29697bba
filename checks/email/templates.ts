// email.templates: the app's email templates exist and render into something that works in an inbox:
// no placeholder left, HTML that parses, absolute https:// links (never localhost), an unsubscribe link where
// required, and a size under the clipping limit. Optionally (opt-in) sends each rendered template via SMTP.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, type Verdict } from '../../src/check.js';
import { boolish, oneOrMany } from '../../src/params.js';
import { smtpSession } from '../../src/email/smtp.js';
import { credentialsIssue, smtpConnectionShape, toSmtpOptions } from '../../src/email/smtp-params.js';
import { sendAction } from '../../src/email/send.js';
import {
  DEFAULT_SAMPLES,
  hasUnsubscribe,
  htmlLinks,
  linkProblem,
  renderTemplate,
  scanHtml,
  textLinks,
  type Vars,
} from '../../src/email/templates.js';

/** The checklist's templates; "custom" ones are added by name. */
export const CHECKLIST_TEMPLATES = ['welcome', 'password_reset', 'payment_success', 'payment_failed', 'trial_ending', 'account_suspended'];
export const TEMPLATE_EXTENSIONS = ['.html', '.hbs', '.mjml', '.njk', '.txt'];
/** `812 bytes`, `4.5 KB`, `120 KB`. */
const kb = (n: number) => (n < 1024 ? `${n} bytes` : n < 10 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${Math.round(n / 1024)} KB`);

/** Gmail clips messages over 102 KB and hides the rest (often the unsubscribe link). */
const GMAIL_CLIP_BYTES = 102 * 1024;

const bytes = () =>
  z.union([z.number().int().positive(), z.string().trim()]).transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|kib|mb|m|mib)?$/i.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 100kb, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    const unit = (m[2] ?? 'b').toLowerCase();
    return Math.round(Number(m[1]) * (unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1));
  });

const params = z
  .object({
    dir: z.string().min(1).describe('Directory holding the templates (relative to the profile).'),
    templates: oneOrMany(z.string().trim().min(1))
      .default(CHECKLIST_TEMPLATES)
      .describe('Template names that must exist (default: the checklist\'s welcome, password_reset, payment_success, payment_failed, trial_ending, account_suspended). Add custom ones.'),
    names: z
      .record(z.string(), oneOrMany(z.string().trim().min(1)))
      .default({})
      .describe('File name(s) for a template name when they differ, e.g. `password_reset: reset-password` (extension optional).'),
    extensions: oneOrMany(z.string().regex(/^\.\w+$/)).default(TEMPLATE_EXTENSIONS).describe('File extensions a template may have.'),
    variables: z.record(z.string(), z.unknown()).default({}).describe('Sample values for placeholders, merged over built-in samples (name, first_name, reset_url, ...).'),
    helpers: oneOrMany(z.string()).default([]).describe('Handlebars helper names used in the templates (their calls render as sample text).'),
    unsubscribe_required: oneOrMany(z.string()).default([]).describe('Templates that must contain an unsubscribe link (`*` for all), e.g. marketing or trial_ending.'),
    max_size: bytes().default(GMAIL_CLIP_BYTES).describe('Largest rendered size (default 102kb: Gmail clips longer messages).'),
    allow_send: boolish().default(false).describe('Opt-in: also send each rendered template through `smtp` to `send_to`.'),
    send_to: z.string().optional().describe('Recipient of the rendered templates when allow_send is true.'),
    send_from: z.string().optional().describe('Sender of the rendered templates, e.g. `${EMAIL_FROM}`.'),
    smtp: z.object(smtpConnectionShape).strict().optional().describe('SMTP server to send through (same parameters as email.smtp).'),
  })
  .strict();

export interface TemplateFile {
  /** Path relative to dir. */
  file: string;
  ext: string;
  source: string;
}

export interface TemplateFacts {
  name: string;
  files: TemplateFile[];
  /** Files (or directories) of this template that could not be read: it is then not reported missing. */
  unreadable?: string[];
}

export interface TemplateOptions {
  vars: Vars;
  helpers: string[];
  unsubscribeRequired: boolean;
  maxSize: number;
}

export interface FileReport {
  file: string;
  sizeBytes: number;
  links: number;
  problems: string[];
  rendered: string;
}

/** Pure: one template file's source → what is wrong with it. */
export function inspectTemplateFile(f: TemplateFile, o: TemplateOptions): FileReport {
  const problems: string[] = [];
  const { output, leftovers } = renderTemplate(f.source, o.vars, o.helpers);
  for (const l of leftovers.slice(0, 5)) problems.push(`${l} left in the output (no sample value or broken syntax; add it under variables)`);
  if (leftovers.length > 5) problems.push(`${leftovers.length - 5} more placeholders left`);
  const isText = f.ext === '.txt';
  const scan = isText ? undefined : scanHtml(output);
  if (scan?.problems.length) problems.push(`HTML does not parse: ${scan.problems.slice(0, 3).join('; ')}${scan.problems.length > 3 ? ` (+${scan.problems.length - 3} more)` : ''}`);
  const links = scan ? htmlLinks(output, scan) : textLinks(output);
  const bad = links.map((l) => linkProblem(l)).filter((p): p is string => !!p);
  for (const b of [...new Set(bad)].slice(0, 5)) problems.push(b);
  const sizeBytes = Buffer.byteLength(output);
  if (sizeBytes > o.maxSize) {
    let [actual, limit] = [kb(sizeBytes), kb(o.maxSize)];
    if (actual === limit) [actual, limit] = [`${sizeBytes} bytes`, `${o.maxSize} bytes`];
    problems.push(`rendered size ${actual} is over the limit of ${limit}`);
  }
  if (o.unsubscribeRequired && !hasUnsubscribe(f.source, links)) problems.push('no unsubscribe link');
  return { file: f.file, sizeBytes, links: links.length, problems, rendered: output };
}

/** Pure: every template's facts → one verdict. */
export function evaluateTemplates(found: TemplateFacts[], o: Omit<TemplateOptions, 'unsubscribeRequired'> & { unsubscribe: string[]; dir: string; extensions: string[] }): Verdict {
  const reports = found.map((t) => ({ name: t.name, files: t.files.map((f) => inspectTemplateFile(f, { ...o, unsubscribeRequired: o.unsubscribe.includes('*') || o.unsubscribe.includes(t.name) })) }));
  const missing = found.filter((t) => t.files.length === 0 && !t.unreadable?.length).map((t) => t.name);
  const evidence = {
    expected: { templates: found.map((t) => t.name), extensions: o.extensions, maxSizeBytes: o.maxSize, unsubscribe: o.unsubscribe },
    actual: { missing, files: reports.flatMap((r) => r.files.map((f) => ({ file: f.file, sizeBytes: f.sizeBytes, links: f.links, problems: f.problems }))) },
  };
  const parts: Verdict[] = [];
  if (missing.length) {
    parts.push(fail(`${missing.length} of ${found.length} templates missing in ${o.dir}: ${missing.join(', ')} (looked for ${o.extensions.join(', ')})`, evidence, 'Add the missing templates, or map their file names with `names`.'));
  }
  for (const r of reports) for (const f of r.files) if (f.problems.length) parts.push(fail(`${f.file}: ${f.problems.join('; ')}`, evidence));
  // Could not check: a failure found elsewhere still fails, with these named as unchecked.
  for (const t of found) for (const u of t.unreadable ?? []) parts.push(error(`template ${t.name}: ${u}`, evidence));
  const files = reports.flatMap((r) => r.files);
  const largest = Math.max(0, ...files.map((f) => f.sizeBytes));
  return combine(parts, `${found.length} templates render cleanly (${files.length} files, largest ${Math.max(1, Math.round(largest / 1024))} KB)`, evidence);
}

/** Files of `dir` and of its direct subdirectories; subdirectories that cannot be listed are returned apart. */
async function listFiles(dir: string): Promise<{ files: string[]; unlisted: string[] }> {
  const files: string[] = [];
  const unlisted: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) files.push(entry.name);
    else if (entry.isDirectory()) {
      try {
        for (const sub of await readdir(path.join(dir, entry.name), { withFileTypes: true })) if (sub.isFile()) files.push(`${entry.name}/${sub.name}`);
      } catch (err) {
        unlisted.push(`cannot list ${path.join(dir, entry.name)} (${(err as { code?: string }).code ?? 'error'})`);
      }
    }
  }
  return { files, unlisted };
}

/** File names a template name may have: the mapping, else the name with `_`/`-` variants. */
export function candidateBases(name: string, mapping?: string[]): string[] {
  if (mapping?.length) return mapping;
  return [...new Set([name, name.replace(/_/g, '-'), name.replace(/-/g, '_'), name.replace(/[-_](\w)/g, (_, c: string) => c.toUpperCase())])];
}

export function matchFiles(files: string[], bases: string[], extensions: string[]): string[] {
  const lower = extensions.map((e) => e.toLowerCase());
  return files.filter((file) => {
    const f = file.toLowerCase();
    const ext = path.extname(f);
    if (!lower.includes(ext)) return false;
    const stem = f.slice(0, -ext.length);
    return bases.some((b) => {
      const base = b.toLowerCase().replace(new RegExp(`\\${path.extname(b)}$`), '');
      if (path.extname(b) && f === b.toLowerCase()) return true;
      // welcome.html, welcome/html.hbs, welcome/index.html (email-templates layouts)
      return stem === base || stem === `${base}/html` || stem === `${base}/index` || stem === `${base}/text`;
    });
  });
}

export default defineCheck({
  meta: {
    type: 'email.templates',
    title: 'Email templates exist and render cleanly',
    failureTitle: 'Email templates are missing or render badly',
    description:
      'Renders each expected template (welcome, password reset, payment success/failed, trial ending, account suspended and custom ones) ' +
      'with sample values and checks that no {{ placeholder }} is left, the HTML parses, every link is an absolute https:// URL ' +
      '(no localhost), an unsubscribe link is present where required, and the size stays under Gmail\'s 102 KB clipping limit. ' +
      'With allow_send: true (opt-in) it also sends each rendered template to send_to through the given SMTP server.',
    remediation: 'Fix the templates listed: add sample values for placeholders, close HTML tags, use absolute https:// links built from the public app URL.',
    docs: 'docs/checks.md#email-templates',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const dir = path.resolve(ctx.baseDir, p.dir);
    try {
      if (!(await stat(dir)).isDirectory()) return error(`${dir} is not a directory`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      return error(code === 'ENOENT' ? `template directory ${dir} does not exist` : `cannot read template directory ${dir} (${code})`);
    }
    let listing: { files: string[]; unlisted: string[] };
    try {
      listing = await listFiles(dir);
    } catch (err) {
      return error(`cannot list template directory ${dir} (${(err as { code?: string }).code ?? 'error'})`);
    }
    const { files, unlisted } = listing;
    // An unreadable file is a part that could not be checked: the other templates are still judged.
    const found: TemplateFacts[] = [];
    for (const name of p.templates) {
      const matches = matchFiles(files, candidateBases(name, p.names[name]), p.extensions);
      const tf: TemplateFacts = { name, files: [] };
      for (const file of matches) {
        try {
          tf.files.push({ file, ext: path.extname(file).toLowerCase(), source: await readFile(path.join(dir, file), 'utf8') });
        } catch (err) {
          (tf.unreadable ??= []).push(`cannot read ${path.join(dir, file)} (${(err as { code?: string }).code ?? 'error'})`);
        }
      }
      // Not found, but a subdirectory could not be listed: it may be in there.
      if (!matches.length && unlisted.length) tf.unreadable = [...unlisted];
      found.push(tf);
    }
    ctx.log.debug(`email.templates: ${found.map((t) => `${t.name}=${t.files.map((f) => f.file).join('+') || 'missing'}`).join(', ')}`);
    const options = { vars: { ...DEFAULT_SAMPLES, ...p.variables }, helpers: p.helpers, maxSize: p.max_size, unsubscribe: p.unsubscribe_required, dir: p.dir, extensions: p.extensions };
    const verdict = evaluateTemplates(found, options);
    if (!p.allow_send) return verdict;

    // opt-in delivery of every template that rendered
    if (!p.smtp || !p.send_to || !p.send_from) return combine([verdict, error('misconfigured: allow_send needs smtp, send_to and send_from')], verdict.message, verdict.evidence);
    const issue = credentialsIssue(p.smtp);
    if (issue) return combine([verdict, error(`misconfigured: smtp ${issue}`)], verdict.message, verdict.evidence);
    let smtpOptions;
    try {
      smtpOptions = await toSmtpOptions(p.smtp, ctx);
    } catch (err) {
      return combine([verdict, error((err as Error).message)], verdict.message, verdict.evidence);
    }
    const sent: string[] = [];
    const sendParts: Verdict[] = [];
    for (const t of found) {
      if (!t.files.length) continue;
      const html = t.files.find((f) => f.ext !== '.txt');
      const text = t.files.find((f) => f.ext === '.txt');
      const render = (f?: TemplateFile) => (f ? renderTemplate(f.source, options.vars, options.helpers).output : undefined);
      const { facts, result } = await smtpSession(smtpOptions, sendAction({ from: p.send_from, to: p.send_to, subject: `template ${t.name}`, html: render(html), text: render(text) }));
      if (facts.failure) {
        sendParts.push((['refused', 'dns', 'timeout', 'greeting-timeout', 'closed', 'protocol'].includes(facts.failure.kind) ? error : fail)(`sending template ${t.name}: ${facts.failure.message}`));
        break;
      }
      sent.push(`${t.name} (${result?.serverMessageId ?? result?.messageId})`);
    }
    const delivery = sendParts.length ? sendParts[0] : pass(`sent ${sent.length} templates to ${p.send_to}`);
    const all = combine([verdict, delivery], `${verdict.message}; sent ${sent.length} to ${p.send_to}: ${sent.join(', ')}`, verdict.evidence);
    return all;
  },
});
