// The HTML report: escaping and structure as text, then the real thing in headless Chromium —
// no network request at all, no console error, no script from the data runs, failures visible,
// the filter works (with and without JavaScript), prints, and screenshots land in test-artifacts/.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upgradeReport } from '../../../src/report/compat.js';
import type { Report } from '../../../src/report/model.js';
import { checkAnchor, escapeHtml, html } from '../../../src/report/reporters/html.js';
import { artifactPath, launchChromium } from '../../support/chromium.js';
import { runCli } from '../../support/cli.js';
import { tempProject } from '../../support/temp-profile.js';
import { FIXTURES, allowedReport, hostileIncompleteReport, incompleteReport, interruptedReport } from '../fixtures/reports.js';

const FIXTURE_DIR = resolve(__dirname, '..', '..', 'fixtures', 'reports');
// Reports written by an earlier version (schemaVersion 1), read as `readiness render` reads them.
const load = (name: string): Report => upgradeReport(JSON.parse(readFileSync(resolve(FIXTURE_DIR, `${name}.json`), 'utf8')));
const hostile = load('hostile');
const signed = load('signed');
const options = { color: false, verbose: false };

describe('html reporter as text', () => {
  const page = html(hostile, options);

  it('is one self-contained document: no external resource of any kind', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page.endsWith('</html>\n')).toBe(true);
    const tags = page.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(50);
    for (const tag of tags) {
      expect(tag).not.toMatch(/\s(src|srcset|action|poster|data|background)=/i);
      expect(tag).not.toMatch(/\shref="(?!#)/);
      expect(tag).not.toMatch(/^<(img|iframe|object|embed|link|base|form|video|audio|source)\b/i);
    }
    expect(page).not.toMatch(/@import|url\(/i);
    expect(page).toMatch(/Content-Security-Policy" content="default-src 'none'/);
  });

  it('escapes every string from the report: only its own script tag exists', () => {
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toMatch(/<\/pre><\/details><\/article>"/);
    expect(page).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
    expect(page).toContain('&amp;amp;'); // an entity in the data stays text
  });

  it('has an anchor per check id, sections in profile order, and the run header', () => {
    for (const r of hostile.results.filter((x) => x.skip?.kind !== 'not-selected')) {
      expect(page).toContain(`id="${escapeHtml(checkAnchor(r.id))}"`);
    }
    expect(page).not.toContain('id="check-email.spf"'); // not selected: counted, not listed
    expect(page).toMatch(/1 check was not selected/);
    const order = ['Configuration', 'Infrastructure / Database', 'Infrastructure / Cache', 'Payments', 'Launch Preparation'].map((s) => page.indexOf(`<h2>${s}</h2>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page).toMatch(/Gate FAILED/);
    expect(page).toMatch(/<dt>Tool<\/dt><dd>readiness 0\.1\.0<\/dd>/);
    expect(page).toMatch(/<dt>Environment<\/dt><dd>production &lt;script&gt;/);
    expect(page).toMatch(/<details class="evidence"><summary>Evidence<\/summary><pre>/);
  });

  it('marks waived and manual items apart and says when nobody signed', () => {
    expect(page).toMatch(/<article class="check status-waived [^"]*has-waiver[^"]*" id="check-stripe\.webhooks">/);
    expect(page).toMatch(/<article class="check status-pass [^"]*manual[^"]*" id="check-launch\.briefing">/);
    expect(page).toMatch(/Waived and manual items \(2\)/);
    expect(page).toMatch(/No sign-offs or attestations have been recorded for this report\./);
    const withSignoffs = html(signed, options);
    expect(withSignoffs).toMatch(/<td>Technical Lead<\/td><td>Dana Lee<\/td>/);
    expect(withSignoffs).toMatch(/<tr><td>Technical Lead<\/td><td>Dana Lee<\/td>.*covers these findings/);
    expect(withSignoffs).toMatch(/<tr class="stale"><td>Security Officer &lt;script&gt;.*signed a run with different findings: sign again/);
    expect(withSignoffs).toMatch(/<tr class="awaiting"><td>DevOps Engineer<\/td>.*awaiting sign-off/);
    expect(withSignoffs).toMatch(/<tr class="awaiting"><td>Product Manager<\/td>/);
    expect(withSignoffs).toMatch(/<dt>Fingerprint<\/dt><dd><code>sha256:4f0c9a1e<\/code>/);
    // Roles required but nobody signed yet: the empty-state text and the rows to sign.
    const unsigned = html({ ...hostile, signoffRoles: ['Technical Lead'] }, options);
    expect(unsigned).toMatch(/No sign-offs or attestations have been recorded/);
    expect(unsigned).toMatch(/<tr class="awaiting"><td>Technical Lead<\/td>/);
    expect(withSignoffs).not.toMatch(/No sign-offs/);
    expect(withSignoffs.match(/<script/g)).toHaveLength(1);
  });

  it('lists what needs attention most severe first, each with its message, and links to the sign-off', () => {
    const many = {
      ...hostile,
      signoffRoles: ['Technical Lead', 'DevOps Engineer'],
      results: [
        { ...hostile.results[0], id: 'opt.bad', severity: 'optional' as const, status: 'fail' as const, gating: false, message: 'optional thing off' },
        { ...hostile.results[0], id: 'crit.down', severity: 'critical' as const, status: 'error' as const, gating: true, message: `connection refused at 127.0.0.1:5433 ${'x'.repeat(400)}`, description: 'WHY-TEXT of the type' },
        { ...hostile.results[0], id: 'rec.bad', severity: 'recommended' as const, status: 'fail' as const, gating: false, message: 'HSTS max-age 300 is below 15552000' },
        {
          ...hostile.results[0],
          id: 'skipped.one',
          severity: 'optional' as const,
          status: 'skip' as const,
          gating: false,
          message: 'blocked by crit.down (could not check: connection refused)',
          skip: { kind: 'blocked' as const, detail: 'blocked by crit.down (could not check: connection refused)', blockedBy: ['crit.down'] },
          description: 'WHY-TEXT of the type',
        },
      ],
    };
    const text = html(many, options);
    const list = text.slice(text.indexOf('id="needs-attention"'), text.indexOf('</nav>', text.indexOf('id="needs-attention"')));
    expect(list).toMatch(/Needs attention \(3\)/);
    const order = ['crit.down', 'rec.bad', 'opt.bad'].map((id) => list.indexOf(`<code>${id}</code>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(list).toMatch(/<h3 class="sev-head sev-critical">critical \(1\) <span class="gating-note">all fail the gate<\/span><\/h3>/);
    expect(list).toMatch(/could not check<\/span> <a href="#check-crit\.down">/);
    expect(list).toMatch(/<span class="msg">connection refused at 127\.0\.0\.1:5433 x+…<\/span>/);
    expect(list).toContain('HSTS max-age 300 is below 15552000');
    expect(list).not.toContain('skipped.one');
    expect(text).toMatch(/<nav class="jump"[^>]*>.*<a href="#needs-attention">Needs attention \(3\)<\/a>.*<a href="#signoff">Sign-off: 0 of 2 roles signed<\/a><\/nav>/);
    // A skipped card says why it was skipped, without repeating its type's description.
    const skipped = text.slice(text.indexOf('id="check-skipped.one"'));
    expect(skipped.slice(0, skipped.indexOf('</article>'))).not.toContain('WHY-TEXT');
    const failedCard = text.slice(text.indexOf('id="check-crit.down"'));
    expect(failedCard.slice(0, failedCard.indexOf('</article>'))).toContain('WHY-TEXT');
    expect(html(signed, options)).toMatch(/<a href="#signoff">Sign-off: 1 of 4 roles signed<\/a>/);
  });

  it('under --strict, a warning that fails the gate is listed and kept by the filter like a failure', () => {
    const base = hostile.results[0];
    const strict = {
      ...hostile,
      gate: { ...hostile.gate, strict: true, passed: false },
      results: [
        { ...base, id: 'tls.expiry', status: 'warn' as const, severity: 'critical' as const, gating: true, message: 'certificate expires in 20 days (warn below 30)' },
        { ...base, id: 'opt.warn', status: 'warn' as const, severity: 'optional' as const, gating: false, message: 'minor' },
      ],
    };
    const text = html(strict, options);
    expect(text).toMatch(/Needs attention \(1\)/);
    expect(text).toMatch(/<article class="check status-warn [^"]*failing gating[^"]*" id="check-tls\.expiry">/);
    expect(text).toMatch(/<article class="check status-warn sev-optional" id="check-opt\.warn">/);
    expect(text).toContain('Show only failures (failed, could not check or not verified, and warnings: --strict)');
    expect(text).toMatch(/<p class="no-failures-shown">No check failed or was left unverified\.<\/p>/); // not "none-failing": the filter has something to show
  });

  it('shows an INCOMPLETE gate in amber with every unverified check and its cause, apart from the skips', () => {
    const text = html(incompleteReport, options);
    expect(text).toMatch(/<title>Readiness INCOMPLETE — Acme API — production<\/title>/);
    expect(text).toMatch(/<body class="gate-incomplete">/);
    expect(text).toMatch(
      /<div class="gate incomplete" role="status"><span class="verdict">\? Gate INCOMPLETE<\/span><span class="detail">3 critical checks were not verified: tls\.frontend \(blocked by dns\.frontend/,
    );
    // "Needs attention" lists each unverified check with its kind and cause, linked to its card.
    const list = text.slice(text.indexOf('id="needs-attention"'), text.indexOf('</nav>', text.indexOf('id="needs-attention"')));
    expect(list).toMatch(/Needs attention \(4\)/);
    expect(list).toMatch(/<h3 class="sev-head sev-critical">critical \(3\) <span class="gating-note">all not verified<\/span><\/h3>/);
    expect(list).toMatch(/<h3 class="sev-head sev-recommended">recommended \(1\)<\/h3><ul><li class="st-fail">/);
    for (const u of incompleteReport.gate.unverified) {
      expect(list).toContain(`<a href="#check-${u.id}">`);
      expect(list).toContain(escapeHtml(u.detail));
    }
    expect(list).toContain('<li class="st-unverified"><span class="st-word">? not verified (blocked)</span> <a href="#check-tls.frontend">Frontend certificate is valid</a>');
    expect(list).toContain('active check not enabled: not sent: email.send sends a real message');
    for (const id of ['headers.hsts', 'email.mx', 'backup.restore', 'env.backend']) expect(list, id).not.toContain(id);
    // Each unverified card: a "not verified" badge and its kind; kept by the filter; blocked links to what blocked it.
    const card = (id: string) => {
      const start = text.indexOf(`<article class="check`, text.indexOf(`id="check-${id}"`) - 200);
      return text.slice(start, text.indexOf('</article>', start));
    };
    expect(card('tls.frontend')).toMatch(/^<article class="check status-skip sev-critical unverified" id="check-tls\.frontend">/);
    expect(card('tls.frontend')).toContain('<span class="badge st st-unverified">? Not verified</span>');
    expect(card('tls.frontend')).toContain('<span class="badge kind kind-blocked">blocked</span>');
    expect(card('tls.frontend')).toContain('Waits for: <a href="#check-dns.frontend"><code>dns.frontend</code></a>');
    expect(card('email.send')).toContain('<span class="badge kind kind-opt-in">not opted in</span>');
    expect(card('stripe.account')).toContain('<span class="badge kind kind-deadline">run deadline</span>');
    // The other skips: a skipped badge with their kind, not "not verified".
    expect(card('headers.hsts')).toMatch(/^<article class="check status-skip sev-optional" id="check-headers\.hsts">/);
    expect(card('email.mx')).toContain('<span class="badge kind kind-not-applicable">not applicable</span>');
    expect(card('backup.restore')).toContain('<span class="badge kind kind-profile">skipped in the profile</span>');
    expect(card('backup.restore')).toContain('not on staging &lt;b&gt;yet&lt;/b&gt; | 50% a:b,c # ask ops');
    expect(card('email.mx')).not.toContain('Not verified');
    // A failure's heading is its failure title.
    expect(card('dns.frontend')).toContain('</a> Frontend DNS does not resolve</h3>');
    // Counts: not verified apart from skipped.
    expect(text).toContain('<li class="card st-unverified"><span class="num">3</span> <span class="lbl">not verified</span></li><li class="card st-skip"><span class="num">4</span> <span class="lbl">skipped</span></li>');
    expect(text).toMatch(/<th scope="col">Not verified<\/th><th scope="col">Skipped<\/th>/);
    expect(text).toMatch(/<tr class="totals"><th scope="row">all<\/th><td>1<\/td><td>0<\/td><td>1<\/td><td>0<\/td><td>3<\/td><td>4<\/td><td>0<\/td><td>9<\/td><\/tr>/);
    expect(text).toMatch(/<tr><th scope="row">critical<\/th><td class="n c-pass">1<\/td><td class="zero">0<\/td><td class="zero">0<\/td><td class="zero">0<\/td><td class="n c-unverified">3<\/td><td class="n c-skip">3<\/td>/);
    expect(text).toContain('<li>The run deadline was reached: unfinished checks were not verified.</li>');
  });

  it('escapes hostile text in an unverified check: title, cause, and the blocker it links to', () => {
    const text = html(hostileIncompleteReport, options);
    expect(text.match(/<script/g)).toHaveLength(1);
    expect(text).not.toContain('<b>');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('Waits for: <a href="#check-&lt;b&gt;&quot;x&quot;&lt;/b&gt;"><code>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</code></a>');
    expect(text).toContain('blocked by &lt;b&gt;&quot;x&quot;&lt;/b&gt; (failed: &lt;script&gt;');
  });

  it('says when --allow-unverified allowed an INCOMPLETE gate, still amber', () => {
    const text = html(allowedReport, options);
    expect(text).toMatch(/<body class="gate-incomplete">/);
    expect(text).toMatch(/<span class="verdict">\? Gate INCOMPLETE<\/span><span class="detail">\(allowed by --allow-unverified: exit 0\) — 3 critical/);
    expect(text).toContain('--allow-unverified (an incomplete gate exits 0)</dd>');
    expect(text).toContain('<span class="badge st st-unverified">? Not verified (allowed by --allow-unverified)</span>');
    expect(text).toMatch(/critical \(3\) <span class="gating-note">all not verified \(allowed\)<\/span>/);
  });

  it('FAILED with unverified checks: red, and both kinds in "Needs attention"', () => {
    const text = html(interruptedReport, options);
    expect(text).toMatch(/<body class="gate-failed">/);
    expect(text).toMatch(/<div class="gate failed" role="status"><span class="verdict">✖ Gate FAILED<\/span>/);
    expect(text).toMatch(/critical \(4\) <span class="gating-note">2 fail the gate, 2 not verified<\/span>/);
  });

  it('is a pure, deterministic function of the report for every fixture', () => {
    for (const report of [...Object.values(FIXTURES), hostile, signed]) {
      const before = JSON.stringify(report);
      const first = html(report, options);
      expect(html(structuredClone(report), { color: true, verbose: true })).toBe(first);
      expect(JSON.stringify(report)).toBe(before);
    }
    expect(html(FIXTURES.empty, options)).toMatch(/This report holds no checks\./);
  });
});

describe('readiness check -f html:FILE', () => {
  it('writes the report file, redacted like every other format, next to another format', async () => {
    const secret = 'sk_live_51Hq9xHtmlSecretValue0123456789abcd';
    const dir = tempProject({
      'readiness.yaml':
        'version: 1\nname: HTML CLI\nchecks:\n  db.schema:\n    type: ./checks/scripted.js\n    with: { status: fail, message: "3 tables missing, key", echo_env: STRIPE_SECRET_KEY }\n  api.up:\n    type: ./checks/scripted.js\n    with: { message: "200 in 12ms" }\n',
    });
    const result = await runCli(['check', '-f', 'html:out/report.html', '-f', 'json:out/report.json'], { cwd: dir, env: { STRIPE_SECRET_KEY: secret } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/wrote html report to out\/report\.html/);
    const page = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('id="check-db.schema"');
    expect(page).toContain('id="check-api.up"');
    expect(page).toMatch(/3 tables missing, key \[redacted\]/);
    expect(page).not.toContain(secret);
    expect(page).not.toContain('0123456789abcd');
  });
});

describe('html report in headless Chromium', () => {
  const REPORT_URL = 'http://report.invalid/report.html';
  let browser: Browser;
  const blocked: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a machine without Chromium fails this test with the command that installs it', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow('install chromium: apt-get install -y chromium');
  });

  /** A page that can load only the report itself: any other request is recorded and aborted. */
  async function open(report: Report, javaScriptEnabled = true): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const text = html(report, options);
    writeFileSync(artifactPath('html/report.html'), text);
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1200, height: 900 } });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url === REPORT_URL) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: text });
      blocked.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (req) => {
      if (req.url() !== REPORT_URL) blocked.push(req.url());
    });
    await page.goto(REPORT_URL, { waitUntil: 'load' });
    return { context, page, errors };
  }

  it('loads with no request but itself, no console error, and no script from the data running', async () => {
    const { context, page, errors } = await open(signed);
    await page.waitForTimeout(200);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.title()).toMatch(/^Readiness FAILED — Acme API/);
    await page.screenshot({ path: artifactPath('html/report-full.png'), fullPage: true });
    const signoff = page.locator('#signoff');
    expect(await signoff.innerText()).toMatch(/DevOps Engineer\s+awaiting sign-off/);
    await signoff.screenshot({ path: artifactPath('html/signoff.png') });
    await context.close();
  });

  it('shows failed checks and the filter hides everything else', async () => {
    const { context, page, errors } = await open(hostile);
    const failed = page.locator('#check-db\\.schema');
    const passed = page.locator('#check-env\\.backend');
    const waived = page.locator('#check-stripe\\.webhooks');
    await expect.poll(() => failed.isVisible()).toBe(true);
    expect(await failed.innerText()).toMatch(/3 of 11 tables missing/);
    expect(await failed.innerText()).toMatch(/Run the migrations/);
    expect(await passed.isVisible()).toBe(true);
    expect(await page.locator('#shown').innerText()).toBe('9 checks');

    await page.getByLabel('Show only failures').check();
    expect(await failed.isVisible()).toBe(true);
    expect(await page.locator('#check-redis\\.ping').isVisible()).toBe(true);
    expect(await passed.isVisible()).toBe(false);
    expect(await waived.isVisible()).toBe(false);
    expect(await page.locator('section.checks', { hasText: 'Payments' }).isVisible()).toBe(false);
    expect(await page.locator('#shown').innerText()).toBe('3 of 9 checks shown');
    await page.screenshot({ path: artifactPath('html/report-failures-only.png'), fullPage: true });

    // A link to a check the filter hides turns the filter off and shows it.
    await page.evaluate(() => (location.hash = '#check-env.backend'));
    await expect.poll(() => passed.isVisible()).toBe(true);
    expect(await page.getByLabel('Show only failures').isChecked()).toBe(false);

    // Evidence is folded until opened.
    const evidence = failed.locator('details.evidence pre');
    expect(await evidence.isVisible()).toBe(false);
    await failed.locator('details.evidence summary').click();
    expect(await evidence.innerText()).toMatch(/"missing"/);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('an INCOMPLETE gate is amber — neither the green of PASSED nor the red of FAILED — and the filter keeps unverified checks', async () => {
    const banner = async (report: Report) => {
      const { context, page } = await open(report);
      const colors = await page.locator('.gate').evaluate((el) => {
        const style = getComputedStyle(el);
        return { background: style.backgroundColor, border: style.borderTopColor, text: style.color };
      });
      return { context, page, colors };
    };
    const passed = await banner(FIXTURES.passing);
    const failed = await banner(FIXTURES.full);
    const { context, page, colors } = await banner(incompleteReport);
    expect(colors).toEqual({ background: 'rgb(255, 241, 229)', border: 'rgb(188, 76, 0)', text: 'rgb(188, 76, 0)' });
    for (const other of [passed.colors, failed.colors]) {
      expect(colors.background).not.toBe(other.background);
      expect(colors.border).not.toBe(other.border);
    }
    await passed.context.close();
    await failed.context.close();
    expect(await page.locator('.gate').innerText()).toMatch(/Gate INCOMPLETE/);
    expect(await page.locator('#needs-attention').innerText()).toMatch(/not verified \(blocked\)\s+Frontend certificate is valid/);
    await page.screenshot({ path: artifactPath('html/report-incomplete.png'), fullPage: true });
    await page.getByLabel('Show only failures').check();
    for (const id of ['tls.frontend', 'email.send', 'stripe.account', 'dns.frontend']) expect(await page.locator(`#check-${id.replace('.', '\\.')}`).isVisible(), id).toBe(true);
    for (const id of ['env.backend', 'headers.hsts', 'email.mx', 'backup.restore']) expect(await page.locator(`#check-${id.replace('.', '\\.')}`).isVisible(), id).toBe(false);
    expect(await page.locator('#shown').innerText()).toBe('4 of 8 checks shown');
    expect(blocked).toEqual([]);
    await context.close();
    // Without JavaScript, the CSS filter keeps them too.
    const noJs = await open(incompleteReport, false);
    await noJs.page.getByLabel('Show only failures').check();
    expect(await noJs.page.locator('#check-email\\.send').isVisible()).toBe(true);
    expect(await noJs.page.locator('#check-email\\.mx').isVisible()).toBe(false);
    await noJs.context.close();
  });

  it('is readable with JavaScript disabled, and the filter still works through CSS', async () => {
    const { context, page } = await open(hostile, false);
    expect(await page.locator('#check-db\\.schema').isVisible()).toBe(true);
    expect(await page.locator('.gate').innerText()).toMatch(/Gate FAILED/);
    expect(await page.locator('#signoff').innerText()).toMatch(/No sign-offs or attestations/);
    await page.getByLabel('Show only failures').check();
    expect(await page.locator('#check-env\\.backend').isVisible()).toBe(false);
    expect(await page.locator('#check-db\\.schema').isVisible()).toBe(true);
    await page.screenshot({ path: artifactPath('html/report-no-js.png'), fullPage: true });
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('a real run of profiles/saas.yaml with an empty environment (~280 checks) stays usable', async () => {
    const dir = tempProject({});
    const run = await runCli(['check', '-p', resolve(__dirname, '..', '..', '..', 'profiles', 'saas.yaml'), '-f', 'json:saas.json', '-f', 'html:saas.html'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'saas.json'), 'utf8')) as Report;
    expect(report.results.length).toBeGreaterThan(200);
    expect(readFileSync(join(dir, 'saas.html'), 'utf8')).toBe(html(report, options));
    const started = Date.now();
    const { context, page, errors } = await open(report);
    const loadMs = Date.now() - started;
    expect(loadMs).toBeLessThan(10_000);
    expect(errors).toEqual([]);
    // The filter keeps what needs attention: failures and the gating checks that were not verified.
    const failing = report.results.filter((r) => r.status === 'fail' || r.status === 'error' || r.gating || r.unverified);
    expect(await page.locator('#shown').innerText()).toBe(`${report.results.length} checks`);
    // The most severe failures come first in "Needs attention".
    expect(await page.locator('#needs-attention h3').first().innerText()).toMatch(/^critical \(\d+\)/i);
    await page.screenshot({ path: artifactPath('html/saas-top.png') });
    // The sign-off block sits after every check; the link at the top reaches it.
    await page.locator('nav.jump a[href="#signoff"]').click();
    await expect.poll(() => page.locator('#signoff h2').isVisible()).toBe(true);
    const top = await page.evaluate(() => document.getElementById('signoff')!.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(900); // in the viewport (it is near the end of the page, so not always at its top)
    await page.screenshot({ path: artifactPath('html/saas-signoff.png') });
    await page.getByLabel('Show only failures').check();
    expect(await page.locator('#shown').innerText()).toBe(`${failing.length} of ${report.results.length} checks shown`);
    expect(await page.locator('article.check:visible').count()).toBe(failing.length);
    expect(blocked).toEqual([]);
    await context.close();
  }, 90_000);

  it('fits a phone screen: the page itself never scrolls sideways', async () => {
    const { context, page, errors } = await open(signed);
    await page.setViewportSize({ width: 400, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    expect(await page.locator('.cards').innerText()).toMatch(/\b1 warning\b|\b0 warnings\b/);
    await page.screenshot({ path: artifactPath('html/report-phone.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('prints to PDF with the evidence opened and without the toolbar', async () => {
    const { context, page } = await open(hostile);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.toolbar').isVisible()).toBe(false);
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await page.locator('#check-db\\.schema details.evidence pre').isVisible()).toBe(true);
    await page.screenshot({ path: artifactPath('html/report-print.png'), fullPage: true });
    const pdf = artifactPath('html/report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    expect(statSync(pdf).size).toBeGreaterThan(10_000);
    expect(blocked).toEqual([]);
    await context.close();
  });
});
