// JUnit XML for CI test-report viewers (GitHub, GitLab, Jenkins): one testsuite per section, one
// testcase per check; fail → <failure>, error → <error>, skip and waived → <skipped>.
import type { CheckResult, Reporter } from '../model.js';
import { attemptsText, evidenceLines, groupBySection, seconds, truncate, waiverText } from '../format-value.js';

// Everything outside XML 1.0's Char production (C0 controls but tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF), plus the discouraged DEL and C1 controls.
const NOT_XML = /[^\u0009\u000a\u000d\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Removes characters an XML 1.0 document cannot contain. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

export function escapeXmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute values keep their newlines and tabs (parsers would otherwise normalise them to spaces). */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

const attrs = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([name, value]) => ` ${name}="${escapeXmlAttr(String(value))}"`)
    .join('');

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
}

function count(results: readonly CheckResult[]): Counts {
  return {
    tests: results.length,
    failures: results.filter((r) => r.status === 'fail').length,
    errors: results.filter((r) => r.status === 'error').length,
    skipped: results.filter((r) => r.status === 'skip' || r.status === 'waived').length,
    time: results.reduce((sum, r) => sum + (Number.isFinite(r.durationMs) && r.durationMs > 0 ? r.durationMs : 0), 0),
  };
}

/** Message, expected/actual and remediation: the body of a <failure>/<error>/waived <skipped>. */
function failureBody(r: CheckResult): string {
  const lines = [r.message];
  for (const { label, value } of evidenceLines(r.evidence, { maxLength: 2000 })) lines.push(`${label}: ${value}`);
  if (r.remediation) lines.push(`fix: ${r.remediation}`);
  const waiver = waiverText(r);
  if (waiver) lines.push(r.waiver?.expired ? waiver : `waived: ${waiver}`);
  if (r.docs) lines.push(`docs: ${r.docs}`);
  return lines.join('\n');
}

/** What the check looked at: status, type, severity, attempts and the evidence. */
function systemOut(r: CheckResult): string {
  const lines = [`status: ${r.status}`, `type: ${r.type}`, `severity: ${r.severity}`];
  if (r.status === 'pass' || r.status === 'warn') lines.push(`${r.status === 'warn' ? 'warning' : 'message'}: ${r.message}`);
  const attempts = attemptsText(r);
  if (attempts) lines.push(`attempts: ${r.attempts} (${attempts})`);
  for (const { label, value } of evidenceLines(r.evidence, { details: true, maxLength: 2000 })) lines.push(`${label}: ${value}`);
  if (r.status === 'warn' && r.remediation) lines.push(`fix: ${r.remediation}`);
  if (r.tags.length > 0) lines.push(`tags: ${r.tags.join(', ')}`);
  return lines.join('\n');
}

function testcase(r: CheckResult, classname: string): string {
  const head = `    <testcase${attrs({ classname, name: `${r.id}: ${r.title}`, time: seconds(r.durationMs) })}`;
  const inner: string[] = [];
  const short = truncate(r.message.split(/\r?\n/)[0] ?? '', 500);
  if (r.status === 'fail' || r.status === 'error') {
    const tag = r.status === 'fail' ? 'failure' : 'error';
    inner.push(`      <${tag}${attrs({ message: short, type: r.type })}>${escapeXmlText(failureBody(r))}</${tag}>`);
  } else if (r.status === 'skip') {
    inner.push(`      <skipped${attrs({ message: r.message })}/>`);
  } else if (r.status === 'waived') {
    inner.push(`      <skipped${attrs({ message: `waived: ${waiverText(r) ?? short}` })}>${escapeXmlText(failureBody(r))}</skipped>`);
  }
  inner.push(`      <system-out>${escapeXmlText(systemOut(r))}</system-out>`);
  return `${head}>\n${inner.join('\n')}\n    </testcase>`;
}

export const junit: Reporter = (report) => {
  const total = count(report.results);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({
      name: `readiness: ${report.profile.name}`,
      tests: total.tests,
      failures: total.failures,
      errors: total.errors,
      skipped: total.skipped,
      time: seconds(report.durationMs),
      timestamp: report.startedAt,
    })}>`,
  ];
  for (const { section, results } of groupBySection(report.results)) {
    const c = count(results);
    lines.push(
      `  <testsuite${attrs({
        name: section,
        tests: c.tests,
        failures: c.failures,
        errors: c.errors,
        skipped: c.skipped,
        time: seconds(c.time),
        timestamp: report.startedAt,
      })}>`,
    );
    for (const r of results) lines.push(testcase(r, section));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
};
