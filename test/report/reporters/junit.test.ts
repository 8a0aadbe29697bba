import { describe, expect, it } from 'vitest';
import { escapeXmlAttr, escapeXmlText, junit, xmlSafe } from '../../../src/report/reporters/junit.js';
import type { Report } from '../../../src/report/model.js';
import { FIXTURES, HOSTILE, allowedReport, emptyReport, fullReport, hostileIncompleteReport, incompleteReport, interruptedReport, report, result } from '../fixtures/reports.js';
import { XmlError, findAll, parseXml, type XmlElement } from '../fixtures/xml.js';

const opts = { color: false, verbose: false };
const child = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

describe('the strict XML checker used by these tests', () => {
  it.each([
    ['bare ampersand', '<a>&</a>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['bare < in an attribute', '<a x="<"/>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['unclosed element', '<a><b></b>'],
    ['two roots', '<a/><b/>'],
    ['control character', '<a>\u0001</a>'],
    ['escape character', '<a>\u001b[31m</a>'],
    ['lone surrogate', '<a>\ud800</a>'],
    ['reference to an illegal character', '<a>&#0;</a>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['text outside the root', 'hi<a/>'],
  ])('rejects %s', (_, doc) => {
    expect(() => parseXml(doc)).toThrow(XmlError);
  });

  it('accepts and decodes a well-formed document', () => {
    const root = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="&lt;&amp;&quot;&#10;">t &gt; &#x1F680;<b/></a>\n');
    expect(root.attrs.x).toBe('<&"\n');
    expect(root.text).toBe('t > 🚀');
    expect(root.children.map((c) => c.name)).toEqual(['b']);
  });
});

describe('junit reporter', () => {
  it('produces well-formed XML 1.0 for every fixture', () => {
    for (const fixture of Object.values(FIXTURES)) {
      const xml = junit(fixture, opts);
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
      expect(parseXml(xml).name).toBe('testsuites');
    }
  });

  /** The counts on <testsuites> and each <testsuite> are those of the elements inside. */
  function expectConsistentCounts(fixture: Report) {
    const root = parseXml(junit(fixture, opts));
    const suites = child(root, 'testsuite');
    for (const suite of suites) {
      const cases = child(suite, 'testcase');
      expect(Number(suite.attrs.tests)).toBe(cases.length);
      expect(Number(suite.attrs.failures)).toBe(cases.filter((c) => child(c, 'failure').length > 0).length);
      expect(Number(suite.attrs.errors)).toBe(cases.filter((c) => child(c, 'error').length > 0).length);
      expect(Number(suite.attrs.skipped)).toBe(cases.filter((c) => child(c, 'skipped').length > 0).length);
    }
    const sum = (attr: string) => suites.reduce((n, s) => n + Number(s.attrs[attr]), 0);
    for (const attr of ['tests', 'failures', 'errors', 'skipped']) expect(sum(attr), attr).toBe(Number(root.attrs[attr]));
    return root;
  }

  it('keeps the counts consistent with the elements for every fixture', () => {
    for (const fixture of Object.values(FIXTURES)) expectConsistentCounts(fixture);
  });

  it('counts tests, failures, errors and skipped on <testsuites> and each <testsuite>', () => {
    const root = parseXml(junit(fullReport, opts));
    expect(root.attrs).toMatchObject({ tests: '13', failures: '3', errors: '1', skipped: '5', time: '2.345' });
    const suites = child(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual([
      'Configuration',
      'Infrastructure / Database',
      'Infrastructure / Cache',
      'Payments',
      'Edge <&> "quotes"',
      'Email',
    ]);
    for (const suite of suites) {
      const cases = child(suite, 'testcase');
      expect(Number(suite.attrs.tests)).toBe(cases.length);
      expect(Number(suite.attrs.failures)).toBe(cases.filter((c) => child(c, 'failure').length > 0).length);
      expect(Number(suite.attrs.errors)).toBe(cases.filter((c) => child(c, 'error').length > 0).length);
      expect(Number(suite.attrs.skipped)).toBe(cases.filter((c) => child(c, 'skipped').length > 0).length);
    }
    const sum = (attr: string) => suites.reduce((n, s) => n + Number(s.attrs[attr]), 0);
    for (const attr of ['tests', 'failures', 'errors', 'skipped']) expect(sum(attr)).toBe(Number(root.attrs[attr]));
  });

  it('maps each status to the element CI parsers understand, and never shows skip or waived as passed', () => {
    const cases = findAll(parseXml(junit(fullReport, opts)), 'testcase');
    expect(cases).toHaveLength(fullReport.results.length);
    fullReport.results.forEach((r, i) => {
      const tc = cases[i];
      const outcome = tc.children.map((c) => c.name).filter((n) => n !== 'system-out');
      const expected = { pass: [], warn: [], fail: ['failure'], error: ['error'], skip: ['skipped'], waived: ['skipped'] }[r.status];
      expect(outcome, r.id).toEqual(expected);
      expect(tc.attrs.classname).toBe(r.section);
      expect(tc.attrs.name).toBe(xmlSafe(`${r.id}: ${r.title}`));
      expect(tc.attrs.time).toMatch(/^\d+\.\d{3}$/);
      expect(child(tc, 'system-out')).toHaveLength(1);
    });
  });

  it('carries the failure title, message, expected/actual and remediation in <failure>, and the evidence in <system-out>', () => {
    const tc = findAll(parseXml(junit(fullReport, opts)), 'testcase').find((c) => c.attrs.name.startsWith('db.schema:'))!;
    // The name is the stable title; what went wrong is in the failure.
    expect(tc.attrs.name).toBe('db.schema: Schema is up to date');
    const [failure] = child(tc, 'failure');
    expect(failure.attrs).toEqual({ message: 'Schema is not up to date: 3 of 11 tables missing: plans, users, invoices', type: 'postgres.schema' });
    expect(failure.text.startsWith('Schema is not up to date\n3 of 11 tables missing: plans, users, invoices\n')).toBe(true);
    expect(failure.text).toContain('expected: ["plans", "users", "invoices", "orders"]\nactual: ["orders"]\nfix: Run the migrations: npm run migrate.');
    expect(child(tc, 'system-out')[0].text).toContain('missing: ["plans", "users", "invoices"]');
  });

  it('gives skipped and waived checks their reason', () => {
    const cases = findAll(parseXml(junit(fullReport, opts)), 'testcase');
    const byId = (id: string) => cases.find((c) => c.attrs.name.startsWith(`${id}:`))!;
    expect(child(byId('redis.persistence'), 'skipped')[0].attrs.message).toBe('blocked by redis.ping (could not check: connection refused at 127.0.0.1:6380)');
    expect(child(byId('email.spf'), 'skipped')[0].attrs.message).toBe('not selected (--only db.*)');
    const waived = child(byId('stripe.webhooks'), 'skipped')[0];
    expect(waived.attrs.message).toBe('waived: migrating webhooks | phase 2 (until 2026-12-31, by ops)');
    expect(waived.text).toContain('endpoint https://api.acme.test/stripe is disabled');
    const expired = child(byId('stripe.keys'), 'failure')[0];
    expect(expired.text).toContain('waiver expired on 2026-01-31');
  });

  it('makes a gating check that was not verified an <error type="unverified"> with its cause, so CI is not green', () => {
    const root = expectConsistentCounts(incompleteReport);
    expect(root.attrs).toMatchObject({ tests: '9', failures: '1', errors: '3', skipped: '4' });
    const cases = findAll(root, 'testcase');
    const byId = (id: string) => cases.find((c) => c.attrs.name.startsWith(`${id}:`))!;
    for (const u of incompleteReport.gate.unverified) {
      const errors = child(byId(u.id), 'error');
      expect(errors, u.id).toHaveLength(1);
      expect(errors[0].attrs.type).toBe('unverified');
      expect(errors[0].attrs.message.startsWith('not verified: ')).toBe(true);
      expect(errors[0].attrs.message).toContain(u.detail);
      expect(child(byId(u.id), 'skipped')).toEqual([]);
    }
    const blocked = child(byId('tls.frontend'), 'error')[0];
    expect(blocked.attrs.message).toBe('not verified: blocked by dns.frontend (failed: DOMAIN is not set (with.name))');
    expect(blocked.text).toContain('\nblocked by: dns.frontend\n');
    expect(child(byId('email.send'), 'error')[0].attrs.message).toBe(
      'not verified: active check not enabled: not sent: email.send sends a real message; set allow_send: true to opt in',
    );
    expect(child(byId('tls.frontend'), 'system-out')[0].text).toContain('status: skip\nskip: blocked (not verified)\n');
    // The other skips stay <skipped>, their kind readable.
    expect(child(byId('headers.hsts'), 'skipped')[0].attrs.message).toBe('blocked by dns.frontend (failed: DOMAIN is not set (with.name))');
    expect(child(byId('email.mx'), 'skipped')[0].attrs.message).toBe('not applicable: no MX expected: the domain does not receive mail');
    expect(child(byId('backup.restore'), 'skipped')[0].attrs.message).toBe('skipped in the profile: not on staging <b>yet</b> | 50% a:b,c # ask ops');
    expect(child(byId('redis.ping'), 'skipped')[0].attrs.message).toBe('not selected (--only/--skip)');
  });

  it('says the gate outcome in each testsuite\'s properties', () => {
    const props = (fixture: Report) =>
      child(parseXml(junit(fixture, opts)), 'testsuite').map((suite) =>
        Object.fromEntries(child(child(suite, 'properties')[0], 'property').map((p) => [p.attrs.name, p.attrs.value])),
      );
    for (const suite of props(incompleteReport)) {
      expect(suite['readiness.gate']).toBe('INCOMPLETE');
      expect(suite['readiness.gate.verdict']).toMatch(/^INCOMPLETE — 3 critical checks were not verified: tls\.frontend \(blocked by dns\.frontend/);
      expect(suite['readiness.gate.unverified']).toBe('tls.frontend, email.send, stripe.account');
      expect(suite['readiness.gate.allow-unverified']).toBeUndefined();
    }
    expect(props(fullReport)[0]).toEqual({ 'readiness.gate': 'FAILED', 'readiness.gate.verdict': expect.stringMatching(/^FAILED — 2 critical checks failed/) });
    expect(props(FIXTURES.passing)[0]['readiness.gate']).toBe('PASSED');
    expect(props(interruptedReport)[0]).toMatchObject({ 'readiness.gate': 'FAILED', 'readiness.gate.unverified': 'api.slow, api.reports' });
    expect(props(allowedReport)[0]).toMatchObject({ 'readiness.gate': 'INCOMPLETE', 'readiness.gate.allow-unverified': 'true' });
  });

  it('with --allow-unverified, an unverified check is a <skipped> that says it was allowed', () => {
    const root = expectConsistentCounts(allowedReport);
    expect(root.attrs).toMatchObject({ tests: '9', failures: '1', errors: '0', skipped: '7' });
    const tc = findAll(root, 'testcase').find((c) => c.attrs.name.startsWith('stripe.account:'))!;
    expect(child(tc, 'error')).toEqual([]);
    expect(child(tc, 'skipped')[0].attrs.message).toBe('not verified (allowed by --allow-unverified): stopped after 29.9s: the run deadline (30s) was reached');
  });

  it('FAILED with unverified checks: both the failures and the unverified errors are there', () => {
    const root = expectConsistentCounts(interruptedReport);
    expect(root.attrs).toMatchObject({ tests: '5', failures: '1', errors: '2', skipped: '0' });
    const failure = findAll(root, 'failure')[0];
    expect(failure.attrs.message).toBe('Security headers are missing: Content-Security-Policy is not set; also could not check: Permissions-Policy (HEAD request timed out)');
    expect(findAll(root, 'error').map((e) => e.attrs.type)).toEqual(['unverified', 'unverified']);
  });

  it('escapes XML-hostile text so it round-trips, and strips characters XML 1.0 cannot hold', () => {
    const xml = junit(fullReport, opts);
    for (const ch of ['\u0000', '\u0007', '\u001b', '\u000b', '\u000c', '\ud800']) expect(xml).not.toContain(ch);
    expect(xml).not.toContain('<script>');
    const tc = findAll(parseXml(xml), 'testcase').find((c) => c.attrs.name.startsWith('http.hostile:'))!;
    expect(tc.attrs.name).toBe(`http.hostile: Status page says ${xmlSafe(HOSTILE)}`);
    expect(tc.attrs.classname).toBe('Edge <&> "quotes"');
    const [failure] = child(tc, 'failure');
    expect(failure.text.startsWith(`body contained ${xmlSafe(HOSTILE)}\n`)).toBe(true);
    expect(failure.text).toContain('fix: Fix the status page: <b>escape</b> & retry');
  });

  it('escapes hostile text in an unverified check\'s cause and keeps the document well-formed', () => {
    const xml = junit(hostileIncompleteReport, opts);
    for (const ch of ['\u0000', '\u001b', '\ud800']) expect(xml).not.toContain(ch);
    const root = parseXml(xml);
    const [error] = findAll(root, 'error');
    expect(error.attrs.message).toBe(`not verified: blocked by <b>"x"</b> (failed: ${xmlSafe(HOSTILE)})`);
    expect(error.text).toContain('blocked by: <b>"x"</b>');
    expect(root.attrs).toMatchObject({ tests: '2', errors: '1', skipped: '0' });
  });

  it('keeps unicode as it is', () => {
    const tc = findAll(parseXml(junit(fullReport, opts)), 'testcase').find((c) => c.attrs.name.startsWith('i18n.'))!;
    expect(tc.attrs.name).toBe('i18n.ünïcødé: Página de estado — 状態ページ ✓ 🚀');
  });

  it('escape helpers keep newlines in attributes and strip illegal characters', () => {
    expect(escapeXmlAttr(`a"b'c<d>&\n\t\r`)).toBe('a&quot;b&apos;c&lt;d&gt;&amp;&#10;&#9;&#13;');
    expect(escapeXmlText('x]]>y\u0000\u001f\ufffe')).toBe('x]]&gt;y');
    expect(xmlSafe('ok \ud83d\ude80 \udc00 \u0085')).toBe('ok 🚀  ');
    const root = parseXml(junit(report([result({ id: 'x', status: 'fail', message: 'line one\nline two' })]), opts));
    expect(findAll(root, 'failure')[0].attrs.message).toBe('line one');
  });

  it('writes an empty <testsuites> for an empty report', () => {
    const root = parseXml(junit(emptyReport, opts));
    expect(root.attrs).toMatchObject({ tests: '0', failures: '0', errors: '0', skipped: '0' });
    expect(root.children).toEqual([]);
  });
});
