// Email template inspection for email.templates, all pure: a small renderer for the {{ }} family
// (Handlebars/Mustache/Nunjucks variables and simple blocks), an HTML tag-balance parser, link and
// unsubscribe extraction. No template engine is needed to catch what breaks emails in production:
// placeholders left in the output, unbalanced HTML, relative or localhost links, missing unsubscribe.

export type Vars = Record<string, unknown>;

/** Sample values for names templates commonly use, so only unusual names need `variables`. */
export const DEFAULT_SAMPLES: Vars = {
  name: 'Ada Lovelace',
  first_name: 'Ada',
  firstName: 'Ada',
  last_name: 'Lovelace',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  user: { name: 'Ada Lovelace', first_name: 'Ada', firstName: 'Ada', email: 'ada@example.com' },
  company: 'Example Inc.',
  company_name: 'Example Inc.',
  app_name: 'Example',
  appName: 'Example',
  product_name: 'Example',
  plan: 'Pro',
  plan_name: 'Pro',
  amount: '$29.00',
  currency: 'USD',
  invoice_number: 'INV-0001',
  date: '2025-01-31',
  trial_end_date: '2025-01-31',
  trial_days_left: '3',
  days_left: '3',
  reason: 'payment failed',
  year: '2025',
  support_email: 'support@example.com',
  url: 'https://app.example.com/',
  app_url: 'https://app.example.com/',
  login_url: 'https://app.example.com/login',
  reset_url: 'https://app.example.com/reset?token=sample',
  reset_link: 'https://app.example.com/reset?token=sample',
  verify_url: 'https://app.example.com/verify?token=sample',
  action_url: 'https://app.example.com/action',
  billing_url: 'https://app.example.com/billing',
  invoice_url: 'https://app.example.com/invoices/INV-0001',
  update_payment_url: 'https://app.example.com/billing',
  unsubscribe_url: 'https://app.example.com/unsubscribe?u=sample',
  unsubscribe_link: 'https://app.example.com/unsubscribe?u=sample',
  preferences_url: 'https://app.example.com/settings/email',
};

function lookup(vars: Vars, path: string): unknown {
  if (path === 'this' || path === '.') return vars.this ?? vars;
  let cur: unknown = vars;
  for (const part of path.replace(/^this\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as object))) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface RenderResult {
  output: string;
  /** Placeholders that could not be rendered (no sample value, unknown helper, broken syntax). */
  leftovers: string[];
}

/**
 * Renders `{{ var }}`, `{{{ raw }}}`, `{{ var | filter }}`, `{{#if}}/{{#unless}}/{{else}}`, `{{#each}}`, `{{#with}}`,
 * mustache sections, and strips comments and `{% %}` control tags. `helpers` are Handlebars helper names whose calls
 * render as sample text. What is left between `{{ }}` afterwards is reported.
 */
export function renderTemplate(source: string, vars: Vars, helpers: string[] = []): RenderResult {
  const leftovers: string[] = [];
  let out = source
    .replace(/{{!--[\s\S]*?--}}/g, '')
    .replace(/{{![\s\S]*?}}/g, '')
    .replace(/(^|[^{]){#[\s\S]*?#}/g, '$1') // nunjucks comments, not the `{#` inside `{{#if}}`
    .replace(/{{>\s*[^}]*}}/g, ''); // partials are not resolved
  // nunjucks/jinja control tags: keep the content, drop the tags
  out = out.replace(/{%-?\s*(?:if|elif|else|endif|for|endfor|block|endblock|extends|include|set|endset|raw|endraw|macro|endmacro|import|from)\b[^%]*-?%}/g, '');

  const nested = (body: string, scope: Vars): string => {
    const r = renderTemplate(body, scope, helpers);
    leftovers.push(...r.leftovers);
    return r.output;
  };
  // innermost blocks first, until none is left
  const block = /{{#\s*(\w+)\s*([^}]*)}}((?:(?!{{#)[\s\S])*?){{\/\s*\1\s*}}/;
  const mustacheInverted = /{{\^\s*([\w.]+)\s*}}((?:(?!{{[#^])[\s\S])*?){{\/\s*\1\s*}}/;
  for (let guard = 0; guard < 500; guard++) {
    const inv = mustacheInverted.exec(out);
    if (inv) {
      const v = lookup(vars, inv[1]);
      const falsy = !v || (Array.isArray(v) && v.length === 0);
      out = out.slice(0, inv.index) + (falsy ? inv[2] : '') + out.slice(inv.index + inv[0].length);
      continue;
    }
    const m = block.exec(out);
    if (!m) break;
    const [whole, kind, argRaw, body] = m;
    const arg = argRaw.trim();
    const [yes, no = ''] = splitElse(body);
    let replacement: string;
    if (kind === 'if' || kind === 'unless') {
      const v = lookup(vars, arg);
      const truthy = Array.isArray(v) ? v.length > 0 : !!v;
      // a condition without a sample value renders its first branch, so its placeholders get checked
      replacement = (kind === 'if' ? truthy || v === undefined : !truthy) ? yes : no;
    } else if (kind === 'each') {
      const v = lookup(vars, arg);
      const items = Array.isArray(v) && v.length ? v : [undefined];
      replacement = items.map((item) => nested(yes, item && typeof item === 'object' ? { ...vars, ...(item as Vars), this: item } : { ...vars, this: item ?? 'sample' })).join('');
    } else if (kind === 'with') {
      const v = lookup(vars, arg);
      replacement = nested(yes, v && typeof v === 'object' ? { ...vars, ...(v as Vars) } : vars);
    } else {
      // mustache section {{#name}}...{{/name}} (list, object or flag) or an unknown block helper: render the body
      const v = lookup(vars, kind);
      if (Array.isArray(v)) replacement = v.map((item) => nested(yes, item && typeof item === 'object' ? { ...vars, ...(item as Vars) } : vars)).join('');
      else if (v && typeof v === 'object') replacement = nested(yes, { ...vars, ...(v as Vars) });
      else replacement = v === false ? no : yes;
    }
    out = out.slice(0, m.index) + replacement + out.slice(m.index + whole.length);
  }

  // variables: {{{ raw }}} then {{ escaped }}
  out = out.replace(/{{{\s*([^{}]+?)\s*}}}/g, (whole, expr: string) => substitute(whole, expr, vars, helpers, false, leftovers));
  out = out.replace(/(?<!{){{\s*([^{}]+?)\s*}}(?!})/g, (whole, expr: string) => substitute(whole, expr, vars, helpers, true, leftovers));
  // anything still shaped like a placeholder is broken syntax ({{ name }, {{#if}} without {{/if}}, {% %} left over)
  // (a whole placeholder already reported above stays in the output as it was: do not report it, and the
  // rest of its line, a second time)
  const reported = new Set(leftovers);
  for (const m of out.matchAll(/{{{[^{}\n]*}}}|{{[^{}\n]*}}|{{[^\n]{0,60}|{%[^\n]{0,40}%}/g)) {
    if (!reported.has(m[0])) leftovers.push(m[0].trim());
  }
  return { output: out, leftovers: [...new Set(leftovers)] };
}

function splitElse(body: string): [string, string] {
  // the top-level {{else}} of this (innermost) block
  const m = /{{\s*else\s*}}/.exec(body);
  return m ? [body.slice(0, m.index), body.slice(m.index + m[0].length)] : [body, ''];
}

function substitute(whole: string, expr: string, vars: Vars, helpers: string[], escape: boolean, leftovers: string[]): string {
  const clean = expr.replace(/^[&-]\s*|\s*-$/g, '').trim();
  if (clean.startsWith('/') || clean.startsWith('#') || clean === 'else') {
    leftovers.push(whole);
    return '';
  }
  const name = clean.split('|')[0].trim(); // nunjucks filters: {{ name | upper }}
  const words = name.split(/\s+/);
  if (words.length > 1) {
    if (helpers.includes(words[0])) return `[${words[0]}]`;
    leftovers.push(whole);
    return whole;
  }
  if (name.startsWith('@')) return '0'; // @index, @key, @first
  const value = lookup(vars, name);
  if (value === undefined || value === null || typeof value === 'object') {
    leftovers.push(whole);
    return whole;
  }
  return escape ? escapeHtml(String(value)) : String(value);
}

// ---------- HTML ----------

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'mj-image', 'mj-divider', 'mj-spacer', 'mj-include', 'mj-breakpoint', 'mj-all', 'mj-font']);
const OPTIONAL_CLOSE = new Set(['p', 'li', 'td', 'th', 'tr', 'thead', 'tbody', 'tfoot', 'option', 'optgroup', 'dt', 'dd', 'colgroup', 'caption', 'html', 'head', 'body', 'rb', 'rt', 'rp']);
const TAG = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<(\/?)([a-zA-Z][\w:.-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export interface HtmlTag {
  name: string;
  attrs: Record<string, string>;
  line: number;
}

export interface HtmlScan {
  problems: string[];
  tags: HtmlTag[];
  /** Text content (tags removed), for link text and unsubscribe wording. */
  text: string;
}

const lineAt = (s: string, index: number) => s.slice(0, index).split('\n').length;

export function scanHtml(html: string): HtmlScan {
  const problems: string[] = [];
  const tags: HtmlTag[] = [];
  const stack: Array<{ name: string; line: number }> = [];
  let text = '';
  let last = 0;
  const unterminatedComment = html.lastIndexOf('<!--') > html.lastIndexOf('-->');
  if (unterminatedComment) problems.push(`comment opened at line ${lineAt(html, html.lastIndexOf('<!--'))} is never closed`);

  const re = new RegExp(TAG.source, 'g');
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const between = html.slice(last, m.index);
    const stray = /<[a-zA-Z/]/.exec(between);
    if (stray && problems.length < 20) problems.push(`malformed tag at line ${lineAt(html, last + stray.index)}: ${between.slice(stray.index, stray.index + 40).split('\n')[0]}`);
    text += between + ' ';
    last = m.index + m[0].length;
    if (!m[2]) continue; // comment, doctype, CDATA
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    const line = lineAt(html, m.index);
    if (!closing) {
      const attrs: Record<string, string> = {};
      for (const a of (m[3] ?? '').matchAll(ATTR)) attrs[a[1].toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
      tags.push({ name, attrs, line });
      if (m[4] === '/' || VOID.has(name)) continue;
      if (name === 'script' || name === 'style' || name === 'mj-raw' || name === 'mj-style') {
        const end = html.toLowerCase().indexOf(`</${name}`, last);
        if (end < 0) {
          problems.push(`<${name}> opened at line ${line} is never closed`);
          return { problems, tags, text };
        }
        stack.push({ name, line });
        re.lastIndex = end;
        last = end;
        continue;
      }
      stack.push({ name, line });
      continue;
    }
    if (VOID.has(name)) continue;
    const at = stack.map((s) => s.name).lastIndexOf(name);
    if (at < 0) {
      if (!OPTIONAL_CLOSE.has(name) && problems.length < 20) problems.push(`stray </${name}> at line ${line}`);
      continue;
    }
    for (const open of stack.splice(at).slice(1)) {
      if (!OPTIONAL_CLOSE.has(open.name) && problems.length < 20) problems.push(`<${open.name}> opened at line ${open.line} is not closed before </${name}> at line ${line}`);
    }
  }
  const tail = html.slice(last);
  const stray = /<[a-zA-Z/]/.exec(tail);
  if (stray) problems.push(`malformed tag at line ${lineAt(html, last + stray.index)}: ${tail.slice(stray.index, stray.index + 40).split('\n')[0]}`);
  text += tail;
  for (const open of stack) if (!OPTIONAL_CLOSE.has(open.name)) problems.push(`<${open.name}> opened at line ${open.line} is never closed`);
  return { problems, tags, text };
}

// ---------- links ----------

export interface Link {
  url: string;
  /** Attribute it came from (`href`, `src`) or `text` for plain-text templates. */
  kind: string;
  line?: number;
  /** Text of the link for <a>, when short. */
  label?: string;
}

export function htmlLinks(html: string, scan: HtmlScan): Link[] {
  const links: Link[] = [];
  for (const t of scan.tags) {
    for (const attr of ['href', 'src', 'background']) {
      if (attr in t.attrs && !(t.name === 'link' && attr === 'href' && /stylesheet/i.test(t.attrs.rel ?? ''))) {
        links.push({ url: t.attrs[attr].trim(), kind: attr, line: t.line });
      }
    }
  }
  // label for anchors: text right after <a ...> up to </a>
  for (const m of html.matchAll(/<a\b[^>]*\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a>/gi)) {
    const url = (m[1] ?? m[2]).trim();
    const label = m[3].replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim().slice(0, 60);
    const link = links.find((l) => l.url === url && l.kind === 'href' && l.label === undefined);
    if (link) link.label = label;
  }
  return links;
}

export function textLinks(text: string): Link[] {
  return [...text.matchAll(/\b(?:https?:\/\/|www\.)[^\s<>"')\]]+/gi)].map((m) => ({ url: m[0].replace(/[.,;:!?]+$/, ''), kind: 'text', line: lineAt(text, m.index!) }));
}

/** Why a link would not work from a recipient's inbox; undefined when it is fine. */
export function linkProblem(link: Link): string | undefined {
  const url = link.url;
  if (url === '' || url === '#') return `empty link (${JSON.stringify(url)})`;
  if (/^(mailto|tel|sms):/i.test(url)) return undefined;
  if (/^cid:/i.test(url) && link.kind === 'src') return undefined; // inline attachment image
  if (/^data:/i.test(url) && link.kind === 'src') return undefined;
  if (/^(%|\[|\*\||<%|\$\{)/.test(url)) return undefined; // ESP merge tags resolved at send time ([unsubscribe], *|UNSUB|*, <%asm_...%>)
  if (/^http:\/\//i.test(url)) return `insecure link ${url} (expected https://)`;
  if (!/^https:\/\//i.test(url)) return `relative or unsupported link ${url} (expected an absolute https:// URL)`;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return `invalid URL ${url}`;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '0.0.0.0' || host === '[::1]' || host.endsWith('.local') || /^10\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\./.test(host)) {
    return `link to a local address ${url}`;
  }
  return undefined;
}

const UNSUBSCRIBE = /unsubscribe|opt[\s_-]?out|email[\s_-]?preferences|manage[\s_-]?(your[\s_-]?)?(email|subscription)/i;
const ESP_UNSUBSCRIBE = /<%\s*asm_\w*unsubscribe\w*\s*%>|\[unsubscribe\]|\*\|UNSUB\|\*|%unsubscribe_url%|{{{?\s*unsubscribe/i;

export function hasUnsubscribe(source: string, links: Link[]): boolean {
  return ESP_UNSUBSCRIBE.test(source) || links.some((l) => UNSUBSCRIBE.test(l.url) || (l.label !== undefined && UNSUBSCRIBE.test(l.label)));
}
