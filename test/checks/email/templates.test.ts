import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { candidateBases, evaluateTemplates, inspectTemplateFile, matchFiles } from '../../../checks/email/templates.js';
import { DEFAULT_SAMPLES, hasUnsubscribe, htmlLinks, linkProblem, renderTemplate, scanHtml } from '../../../src/email/templates.js';
import { runCheck } from '../../support/run-check.js';
import { startSmtpServer, testPki, type TestSmtpServer } from '../../support/email-smtp.js';

const page = (body: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Example</title><style>td { color: #333 }</style></head>
<body><table role="presentation"><tr><td>
${body}
</td></tr></table>
<!--[if mso]><p>Outlook</p><![endif]-->
</body></html>`;

describe('template rendering', () => {
  it('substitutes variables, raw variables, filters and dotted paths', () => {
    const r = renderTemplate('Hi {{ first_name }} {{{ html }}} {{ name | upper }} {{user.email}}', { first_name: 'Ada', html: '<b>x</b>', name: 'n', user: { email: 'a@b' } });
    expect(r.output).toBe('Hi Ada <b>x</b> n a@b');
    expect(r.leftovers).toEqual([]);
  });
  it('escapes HTML in {{ }} but not in {{{ }}}', () => {
    expect(renderTemplate('{{ v }}|{{{ v }}}', { v: '<i>' }).output).toBe('&lt;i&gt;|<i>');
  });
  it('reports placeholders without a sample value and broken syntax', () => {
    expect(renderTemplate('Hi {{ frist_name }}', {}).leftovers).toEqual(['{{ frist_name }}']);
    expect(renderTemplate('Hi {{ name }', { name: 'x' }).leftovers).toEqual(['{{ name }']);
    expect(renderTemplate('{{#if a}}x', { a: true }).leftovers).toEqual(['{{#if a}}']);
    // an unknown variable in the middle of a line is reported once, not again with the rest of the line
    expect(renderTemplate('<p>{{ missing }} and {{{ raw_missing }}}</p></body>', {}).leftovers).toEqual(['{{{ raw_missing }}}', '{{ missing }}']);
  });
  it('renders if/else, unless, each and mustache sections, and strips comments', () => {
    const tpl = '{{!-- note --}}{{#if paid}}paid{{else}}due{{/if}} {{#unless trial}}full{{/unless}} {{#each items}}[{{name}}]{{/each}} {{#plan}}{{plan_name}}{{/plan}}{{^none}}!{{/none}} {# nj #}';
    const r = renderTemplate(tpl, { paid: false, trial: false, items: [{ name: 'a' }, { name: 'b' }], plan: { plan_name: 'Pro' } });
    expect(r.output).toBe('due full [a][b] Pro! ');
    expect(r.leftovers).toEqual([]);
  });
  it('renders declared helpers as sample text and flags unknown ones', () => {
    expect(renderTemplate('{{formatDate date "YYYY"}}', { date: 1 }, ['formatDate'])).toEqual({ output: '[formatDate]', leftovers: [] });
    expect(renderTemplate('{{formatDate date "YYYY"}}', { date: 1 }).leftovers).toHaveLength(1);
  });
  it('drops nunjucks control tags but keeps their content', () => {
    expect(renderTemplate('{% if x %}A{% endif %}{{ x }}', { x: 'y' }).output).toBe('Ay');
  });
});

describe('HTML scanning and links', () => {
  it('accepts well-formed email HTML with void and optional-close elements', () => {
    expect(scanHtml(page('<p>Hello<br><img src="https://cdn.example.com/a.png" alt=""><p>Bye')).problems).toEqual([]);
  });
  it('reports unclosed, misnested, stray and malformed tags with line numbers', () => {
    expect(scanHtml('<div>\n<span>x</div>').problems).toEqual(['<span> opened at line 2 is not closed before </div> at line 2']);
    expect(scanHtml('<table><tr><td>x</td></tr>').problems).toEqual(['<table> opened at line 1 is never closed']);
    expect(scanHtml('x</div>').problems).toEqual(['stray </div> at line 1']);
    expect(scanHtml('<a href="https://x.com>go</a>').problems[0]).toMatch(/^malformed tag at line 1/);
    expect(scanHtml('<!-- open').problems[0]).toContain('comment opened at line 1 is never closed');
  });
  it('judges links', () => {
    expect(linkProblem({ url: 'https://app.example.com/x', kind: 'href' })).toBeUndefined();
    expect(linkProblem({ url: 'mailto:help@example.com', kind: 'href' })).toBeUndefined();
    expect(linkProblem({ url: '<%asm_group_unsubscribe_raw_url%>', kind: 'href' })).toBeUndefined();
    expect(linkProblem({ url: 'http://app.example.com/x', kind: 'href' })).toContain('insecure link');
    expect(linkProblem({ url: '/reset', kind: 'href' })).toContain('relative');
    expect(linkProblem({ url: 'https://localhost:3000/reset', kind: 'href' })).toContain('local address');
    expect(linkProblem({ url: 'https://192.168.1.5/x', kind: 'src' })).toContain('local address');
    expect(linkProblem({ url: '#', kind: 'href' })).toContain('empty link');
  });
  it('finds an unsubscribe link by URL, by label or by ESP tag', () => {
    const html = '<a href="https://app.example.com/u/1">Unsubscribe</a>';
    expect(hasUnsubscribe(html, htmlLinks(html, scanHtml(html)))).toBe(true);
    expect(hasUnsubscribe('<a href="[unsubscribe]">x</a>', [])).toBe(true);
    const none = '<a href="https://app.example.com/">Home</a>';
    expect(hasUnsubscribe(none, htmlLinks(none, scanHtml(none)))).toBe(false);
  });
  it('inspects one file end to end', () => {
    const r = inspectTemplateFile(
      { file: 'welcome.html', ext: '.html', source: page('<a href="{{ login_url }}">Log in</a> <a href="http://localhost:3000/x">x</a> {{ oops }}') },
      { vars: DEFAULT_SAMPLES, helpers: [], unsubscribeRequired: true, maxSize: 100 },
    );
    expect(r.problems).toEqual([
      '{{ oops }} left in the output (no sample value or broken syntax; add it under variables)',
      'insecure link http://localhost:3000/x (expected https://)',
      expect.stringMatching(/^rendered size \d+ bytes is over the limit of 100 bytes$/),
      'no unsubscribe link',
    ]);
  });
  it('maps template names to files', () => {
    const files = ['welcome.html', 'welcome.txt', 'password-reset.hbs', 'trialEnding.mjml', 'payment_failed/html.njk', 'notes.md', 'suspended-account.html'];
    expect(matchFiles(files, candidateBases('welcome'), ['.html', '.txt'])).toEqual(['welcome.html', 'welcome.txt']);
    expect(matchFiles(files, candidateBases('password_reset'), ['.hbs'])).toEqual(['password-reset.hbs']);
    expect(matchFiles(files, candidateBases('trial_ending'), ['.mjml'])).toEqual(['trialEnding.mjml']);
    expect(matchFiles(files, candidateBases('payment_failed'), ['.njk'])).toEqual(['payment_failed/html.njk']);
    expect(matchFiles(files, candidateBases('account_suspended', ['suspended-account']), ['.html'])).toEqual(['suspended-account.html']);
  });
});

describe('evaluateTemplates', () => {
  const options = { vars: DEFAULT_SAMPLES, helpers: [], maxSize: 102 * 1024, unsubscribe: [], dir: 'emails', extensions: ['.html'] };
  it('fails a missing template even when another template could not be read, and never calls the unreadable one missing', () => {
    const v = evaluateTemplates(
      [
        { name: 'welcome', files: [] },
        { name: 'password_reset', files: [], unreadable: ['cannot read emails/password_reset.html (EACCES)'] },
        { name: 'trial_ending', files: [{ file: 'trial_ending.html', ext: '.html', source: page('<p>Trial ends</p>') }] },
      ],
      options,
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 of 3 templates missing in emails: welcome (looked for .html)');
    expect(v.unchecked).toEqual(['template password_reset: cannot read emails/password_reset.html (EACCES)']);
  });
  it('is an error, not a pass, when the only template not judged could not be read', () => {
    const v = evaluateTemplates([{ name: 'welcome', files: [], unreadable: ['cannot list emails/welcome (EACCES)'] }], options);
    expect(v).toMatchObject({ status: 'error', message: 'template welcome: cannot list emails/welcome (EACCES)' });
  });
});

describe('email.templates on template directories', () => {
  let good: string;
  let broken: string;
  let smtp: TestSmtpServer;
  const SMTP_PASSWORD = 'templates-smtp-Secret-99';

  beforeAll(async () => {
    good = mkdtempSync(path.join(tmpdir(), 'readiness-tpl-good-'));
    const unsubscribe = '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';
    writeFileSync(path.join(good, 'welcome.html'), page('<h1>Welcome, {{ first_name }}!</h1><p><a href="{{ login_url }}">Log in</a></p>'));
    writeFileSync(path.join(good, 'welcome.txt'), 'Welcome, {{ first_name }}!\nLog in: {{ login_url }}\n');
    writeFileSync(path.join(good, 'password-reset.hbs'), page('{{#if first_name}}<p>Hi {{first_name}},</p>{{/if}}<p><a href="{{reset_url}}">Reset your password</a></p>'));
    writeFileSync(path.join(good, 'payment_success.njk'), page('<p>We received {{ amount }} for {{ plan }}.</p><p><a href="{{ invoice_url }}">Invoice</a></p>'));
    writeFileSync(path.join(good, 'payment_failed.html'), page('<p>Your payment of {{ amount }} failed.</p><a href="{{ update_payment_url }}">Update card</a>'));
    mkdirSync(path.join(good, 'trial_ending'));
    writeFileSync(path.join(good, 'trial_ending', 'html.hbs'), page(`<p>{{ trial_days_left }} days left.</p>${unsubscribe}`));
    writeFileSync(
      path.join(good, 'account_suspended.mjml'),
      '<mjml><mj-body><mj-section><mj-column><mj-text>Suspended: {{ reason }}</mj-text><mj-button href="{{ billing_url }}">Billing</mj-button><mj-image src="https://cdn.example.com/logo.png" /></mj-column></mj-section></mj-body></mjml>',
    );
    writeFileSync(path.join(good, 'team-invite.html'), page('<p>{{ inviter }} invited you. <a href="{{ accept_url }}">Join</a></p>'));

    broken = mkdtempSync(path.join(tmpdir(), 'readiness-tpl-broken-'));
    writeFileSync(path.join(broken, 'welcome.html'), page('<div><h1>Welcome, {{ frist_name }}!</h1><a href="http://localhost:3000/login">Log in</a>'));
    writeFileSync(path.join(broken, 'password_reset.html'), page('<a href="/reset?token={{ token }}">Reset</a>'));
    writeFileSync(path.join(broken, 'trial_ending.html'), page(`<p>Ends soon</p>${'<p>padding padding padding padding</p>'.repeat(4000)}`));

    const pki = await testPki();
    smtp = await startSmtpServer({ tls: pki.leaf, auth: { user: 'mailer', pass: SMTP_PASSWORD } });
    writeFileSync(path.join(good, 'ca.pem'), pki.ca.certPem);
  });
  afterAll(async () => {
    await smtp?.close();
    rmSync(good, { recursive: true, force: true });
    rmSync(broken, { recursive: true, force: true });
  });

  it('passes the checklist templates in mixed formats and layouts', async () => {
    const v = await runCheck(check, { dir: good, unsubscribe_required: 'trial_ending' });
    expect(v.status, v.message).toBe('pass');
    expect(v.message).toMatch(/^6 templates render cleanly \(7 files, largest \d+ KB\)$/);
  });

  it('resolves dir against the profile directory and checks custom templates with their variables', async () => {
    const v = await runCheck(check, { dir: path.basename(good), templates: ['welcome', 'team_invite'], variables: { inviter: 'Grace', accept_url: 'https://app.example.com/join/1' } }, { baseDir: path.dirname(good) });
    expect(v.status, v.message).toBe('pass');
    const missingVars = await runCheck(check, { dir: good, templates: ['team_invite'] });
    expect(missingVars.status).toBe('fail');
    expect(missingVars.message).toContain('team-invite.html: {{ inviter }} left in the output');
  });

  it('fails broken templates and says what is wrong in each', async () => {
    const v = await runCheck(check, { dir: broken, unsubscribe_required: '*', max_size: '100kb' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('3 of 6 templates missing in');
    expect(v.message).toContain('payment_success, payment_failed, account_suspended');
    expect(v.message).toContain('welcome.html: {{ frist_name }} left in the output');
    expect(v.message).toMatch(/welcome\.html: .*HTML does not parse: <div> opened at line \d+ is not closed before <\/td>/);
    expect(v.message).toContain('insecure link http://localhost:3000/login');
    expect(v.message).toContain('password_reset.html: {{ token }} left in the output');
    expect(v.message).toContain('relative or unsupported link /reset?token={{ token }}');
    expect(v.message).toMatch(/trial_ending\.html: rendered size \d+ KB is over the limit of 100 KB; no unsubscribe link/);
  });

  it('is an error when the directory does not exist', async () => {
    const v = await runCheck(check, { dir: path.join(good, 'nope') });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^template directory .* does not exist$/);
  });

  it('sends nothing unless allow_send is set; with it, sends each rendered template through SMTP', async () => {
    const smtpParams = { host: smtp.host, port: smtp.port, username: 'mailer', password: SMTP_PASSWORD, ca_file: 'ca.pem', servername: 'localhost' };
    const base = { dir: good, templates: ['welcome', 'password_reset'], send_to: 'qa@example.com', send_from: 'App <noreply@example.com>', smtp: smtpParams };
    await runCheck(check, base, { baseDir: good });
    expect(smtp.received).toHaveLength(0);

    const logs: string[] = [];
    const v = await runCheck(check, { ...base, allow_send: true }, { baseDir: good, logs });
    expect(v.status, v.message).toBe('pass');
    expect(v.message).toContain('sent 2 to qa@example.com');
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[0].data).toMatch(/^Subject: \[readiness test\] template welcome/m);
    expect(smtp.received[0].data).toContain('Welcome, Ada!');
    expect(smtp.received[0].data).toContain('text/plain'); // the .txt version rides along
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain(SMTP_PASSWORD);
  });
});
