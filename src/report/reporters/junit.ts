// JUnit XML for CI test-report viewers (GitHub, GitLab, Jenkins): one testsuite per section, one
// testcase per check named `id: title` (the same whether it passes or fails, so test history follows
// it); fail → <failure>, error → <error>, a gating check that was not verified → <error type="unverified">
// (a CI that reads JUnit must not turn green on it), other skips and waived → <skipped> with their kind.
// Each testsuite carries the gate outcome (PASSED, FAILED, INCOMPLETE) in its <properties>.
import type { CheckResult, Report, Reporter } from '../model.js';
import { attemptsText, evidenceLines, gateStatusOf, gateVerdict, gateWord, groupBySection, seconds, truncate, waiverText } from '../format-value.js';
import { blocksGate, skipCause, skipText } from './unverified.js';

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

function count(results: readonly CheckResult[], report: Report): Counts {
  const unverified = results.filter((r) => r.status === 'skip' && blocksGate(r, report)).length;
  return {
    tests: results.length,
    failures: results.filter((r) => r.status === 'fail').length,
    errors: results.filter((r) => r.status === 'error').length + unverified,
    skipped: results.filter((r) => r.status === 'skip' || r.status === 'waived').length - unverified,
    time: results.reduce((sum, r) => sum + (Number.isFinite(r.durationMs) && r.durationMs > 0 ? r.durationMs : 0), 0),
  };
}

/** Failure title, message, expected/actual and remediation: the body of a <failure>/<error>/waived <skipped>. */
function failureBody(r: CheckResult): string {
  const lines = r.failureTitle ? [r.failureTitle, r.message] : [r.message];
  for (const { label, value } of evidenceLines(r.evidence, { maxLength: 2000 })) lines.push(`${label}: ${value}`);
  if (r.remediation) lines.push(`fix: ${r.remediation}`);
  const waiver = waiverText(r);
  if (waiver) lines.push(r.waiver?.expired ? waiver : `waived: ${waiver}`);
  if (r.docs) lines.push(`docs: ${r.docs}`);
  return lines.join('\n');
}

/** The body of an unverified check's <error>: why it has no verdict, and what it waited for. */
function unverifiedBody(r: CheckResult, cause: string): string {
  const lines = [`not verified: ${cause}`];
  if (r.skip?.blockedBy?.length) lines.push(`blocked by: ${r.skip.blockedBy.join(', ')}`);
  lines.push(`severity: ${r.severity}, the gate cannot pass until it is verified (--allow-unverified lets an exploratory run exit 0)`);
  return lines.join('\n');
}

/** What the check looked at: status, skip kind, type, severity, attempts and the evidence. */
function systemOut(r: CheckResult): string {
  const lines = [`status: ${r.status}`];
  if (r.skip) lines.push(`skip: ${r.skip.kind}${r.unverified ? ' (not verified)' : ''}`);
  lines.push(`type: ${r.type}`, `severity: ${r.severity}`);
  if (r.status === 'pass' || r.status === 'warn') lines.push(`${r.status === 'warn' ? 'warning' : 'message'}: ${r.message}`);
  const attempts = attemptsText(r);
  if (attempts) lines.push(`attempts: ${r.attempts} (${attempts})`);
  for (const { label, value } of evidenceLines(r.evidence, { details: true, maxLength: 2000 })) lines.push(`${label}: ${value}`);
  if (r.status === 'warn' && r.remediation) lines.push(`fix: ${r.remediation}`);
  if (r.tags.length > 0) lines.push(`tags: ${r.tags.join(', ')}`);
  return lines.join('\n');
}

function testcase(r: CheckResult, classname: string, report: Report): string {
  const head = `    <testcase${attrs({ classname, name: `${r.id}: ${r.title}`, time: seconds(r.durationMs) })}`;
  const inner: string[] = [];
  const first = truncate(r.message.split(/\r?\n/)[0] ?? '', 500);
  // The failure title ("PostgreSQL is not reachable") heads the message: the testcase name stays stable.
  const short = r.failureTitle ? `${r.failureTitle}: ${first}` : first;
  if (r.status === 'fail' || r.status === 'error') {
    const tag = r.status === 'fail' ? 'failure' : 'error';
    inner.push(`      <${tag}${attrs({ message: short, type: r.type })}>${escapeXmlText(failureBody(r))}</${tag}>`);
  } else if (r.status === 'skip' && blocksGate(r, report)) {
    const cause = r.skip ? skipCause(r.skip) : r.message;
    inner.push(`      <error${attrs({ message: truncate(`not verified: ${cause}`, 500), type: 'unverified' })}>${escapeXmlText(unverifiedBody(r, cause))}</error>`);
  } else if (r.status === 'skip') {
    inner.push(`      <skipped${attrs({ message: skipText(r, report) })}/>`);
  } else if (r.status === 'waived') {
    inner.push(`      <skipped${attrs({ message: `waived: ${waiverText(r) ?? short}` })}>${escapeXmlText(failureBody(r))}</skipped>`);
  }
  inner.push(`      <system-out>${escapeXmlText(systemOut(r))}</system-out>`);
  return `${head}>\n${inner.join('\n')}\n    </testcase>`;
}

/** The gate outcome, the same in every testsuite: a CI reading one suite still sees the whole verdict. */
function gateProperties(report: Report): string {
  const props: Record<string, string> = { 'readiness.gate': gateWord(gateStatusOf(report)), 'readiness.gate.verdict': gateVerdict(report) };
  if (report.gate.allowUnverified) props['readiness.gate.allow-unverified'] = 'true';
  const unverified = report.gate.unverified ?? [];
  if (unverified.length) props['readiness.gate.unverified'] = unverified.map((u) => u.id).join(', ');
  const lines = Object.entries(props).map(([name, value]) => `      <property${attrs({ name, value })}/>`);
  return ['    <properties>', ...lines, '    </properties>'].join('\n');
}

export const junit: Reporter = (report) => {
  const total = count(report.results, report);
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
    const c = count(results, report);
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
    lines.push(gateProperties(report));
    for (const r of results) lines.push(testcase(r, section, report));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
};
