// A self-contained HTML report for the people who sign a release off: one file with inline CSS and
// a little inline JS (nothing is ever fetched), readable with JavaScript off and printable to PDF.
// The gate banner has three outcomes: PASSED (green), FAILED (red), INCOMPLETE (amber: no gating check
// failed, but one was not verified). Sections as in the profile, one card per check with an anchor
// (#check-<id>), evidence folded in <details>, what needs attention (failures and gating checks not
// verified) listed first, waived and manual items set apart, a "show only failures" filter and a sign-off block.
import type { Status } from '../../check.js';
import type { CheckResult, Report, Reporter, Severity, Signoff } from '../model.js';
import { SEVERITIES } from '../model.js';
import {
  STATUS_ICONS,
  STATUS_ORDER,
  STATUS_WORDS,
  attemptsText,
  evidenceLines,
  formatMs,
  gateStatusOf,
  defaultsUsedLines,
  gateVerdict,
  gateWord,
  groupBySection,
  headline,
  isNotSelected,
  oneLine,
  summaryCounts,
  truncate,
  unverifiedText,
  visibleControls,
  waiverText,
} from '../format-value.js';
import { GATE_ICONS, SKIP_KIND_WORDS, UNVERIFIED_ICON, reportNotes } from './unverified.js';

/** Longest evidence dump shown per check: a report must stay openable. */
const MAX_EVIDENCE = 20_000;

/** Text for HTML content and attribute values: controls made visible, then every special escaped. */
export function escapeHtml(text: string): string {
  return visibleControls(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The anchor of a check: `check-<id>`, whitespace made `-` so it stays one token. */
export function checkAnchor(id: string): string {
  return `check-${visibleControls(id).replace(/\s+/g, '-')}`;
}

const STATUS_LABELS: Record<Status, string> = {
  pass: 'Passed',
  warn: 'Warning',
  fail: 'Failed',
  error: 'Could not check',
  skip: 'Skipped',
  waived: 'Waived',
};

/** Failed, could not check, or anything else that fails the gate (a warning under --strict). */
const isFailing = (r: CheckResult) => r.status === 'fail' || r.status === 'error' || r.gating;
/** What a release manager must look at: failures, and gating checks that were not verified. */
const needsAttention = (r: CheckResult) => isFailing(r) || r.unverified === true;

/** Counted apart from the other skips: the skips that gate but were not verified (a subset of `skip`). */
type Column = Status | 'unverified';
const COLUMNS: readonly Column[] = STATUS_ORDER.flatMap((s): Column[] => (s === 'skip' ? ['unverified', 'skip'] : [s]));
const COLUMN_LABELS: Record<Column, string> = { ...STATUS_LABELS, unverified: 'Not verified' };
const isManual = (r: CheckResult) => r.type === 'manual';

const bigintSafe = (_key: string, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value);

function evidenceDump(r: CheckResult): string | undefined {
  if (!r.evidence) return undefined;
  let text: string;
  try {
    text = JSON.stringify(r.evidence, bigintSafe, 2) ?? '';
  } catch {
    text = String(r.evidence);
  }
  if (!text || text === '{}') return undefined;
  return truncate(text, MAX_EVIDENCE);
}

/**
 * Evidence without keys whose value is undefined: a could-not-check verdict has no actual value, and
 * "actual (not set)" would read as if the value were missing. Also what the JSON report keeps, so the
 * page rendered during the run and one rendered later from the JSON report are the same.
 */
function definedOnly(evidence: CheckResult['evidence']): CheckResult['evidence'] {
  if (!evidence) return evidence;
  return Object.fromEntries(Object.entries(evidence).filter(([, v]) => v !== undefined)) as CheckResult['evidence'];
}

function badge(kind: string, text: string): string {
  return `<span class="badge ${escapeHtml(kind)}">${escapeHtml(text)}</span>`;
}

function checkCard(r: CheckResult, allowUnverified: boolean): string {
  const anchor = checkAnchor(r.id);
  const classes = ['check', `status-${r.status}`, `sev-${r.severity}`];
  if (isFailing(r)) classes.push('failing');
  if (r.unverified) classes.push('unverified');
  if (r.gating) classes.push('gating');
  if (r.status === 'waived' || r.waiver) classes.push('has-waiver');
  if (isManual(r)) classes.push('manual');

  const badges = [
    r.unverified
      ? badge('st st-unverified', `${UNVERIFIED_ICON} Not verified${allowUnverified ? ' (allowed by --allow-unverified)' : ''}`)
      : badge(`st st-${r.status}`, `${STATUS_ICONS[r.status]} ${STATUS_LABELS[r.status]}`),
    badge(`sev sev-${r.severity}`, r.severity),
  ];
  if (r.skip) badges.push(badge(`kind kind-${r.skip.kind}`, SKIP_KIND_WORDS[r.skip.kind] ?? r.skip.kind));
  if (r.gating) badges.push(badge('gating', 'fails the gate'));
  if (isManual(r)) badges.push(badge('manual', 'manual attestation'));
  if (r.active) badges.push(badge('active', 'active (opt-in)'));

  const meta = [`<code>${escapeHtml(r.id)}</code>`, `type <code>${escapeHtml(r.type)}</code>`];
  if (r.status !== 'skip') meta.push(escapeHtml(formatMs(r.durationMs)));
  const attempts = attemptsText(r);
  if (attempts) meta.push(escapeHtml(attempts));
  if (r.tags.length) meta.push(`tags: ${r.tags.map((t) => `<span class="tag">${escapeHtml(t)}</span>`).join(' ')}`);

  const body: string[] = [];
  // A skip says why in its own words (the kind is a badge); what blocked it links to the blocking checks.
  const message = r.skip ? unverifiedText(r.skip) : r.message;
  if (message) body.push(`<p class="message">${escapeHtml(message)}</p>`);
  if (r.skip?.blockedBy?.length) {
    body.push(`<p class="blocked-by">Waits for: ${r.skip.blockedBy.map((id) => `<a href="#${escapeHtml(checkAnchor(id))}"><code>${escapeHtml(id)}</code></a>`).join(', ')}</p>`);
  }
  if (r.unverified) {
    body.push(
      `<p class="unverified-note">${allowUnverified ? 'Not verified, allowed by --allow-unverified: this run is not a release verdict.' : 'Not verified is not passed: the gate cannot pass until this check has a verdict.'}</p>`,
    );
  }
  const lines = evidenceLines(definedOnly(r.evidence), { maxLength: 2000 });
  if (lines.length) {
    body.push(
      `<dl class="ev">${lines.map(({ label, value }) => `<dt>${escapeHtml(label)}</dt><dd><code>${escapeHtml(value)}</code></dd>`).join('')}</dl>`,
    );
  }
  const waiver = waiverText(r);
  if (r.waiver?.expired) body.push(`<p class="waiver expired"><strong>Waiver expired:</strong> ${escapeHtml(waiver ?? '')}</p>`);
  else if (waiver) body.push(`<p class="waiver"><strong>Waived:</strong> ${escapeHtml(waiver)}</p>`);
  if (r.remediation && r.status !== 'pass' && r.status !== 'skip') {
    body.push(`<div class="fix"><strong>How to fix</strong><p>${escapeHtml(r.remediation)}</p></div>`);
  }
  // A skipped check tells why in its message; its type's description would repeat for every one of them.
  if (r.description && r.status !== 'skip') body.push(`<p class="why">${escapeHtml(r.description)}</p>`);
  const dump = evidenceDump(r);
  if (dump) body.push(`<details class="evidence"><summary>Evidence</summary><pre>${escapeHtml(dump)}</pre></details>`);
  if (r.docs) body.push(`<p class="docs">Reference: <code>${escapeHtml(r.docs)}</code></p>`);

  return [
    `<article class="${classes.join(' ')}" id="${escapeHtml(anchor)}">`,
    `<header class="check-head"><h3><a class="self" href="#${escapeHtml(anchor)}" title="Link to this check">#</a> ${escapeHtml(headline(r))}</h3>`,
    `<div class="badges">${badges.join(' ')}</div>`,
    `<div class="meta">${meta.join(' · ')}</div></header>`,
    ...body,
    '</article>',
  ].join('\n');
}

/** Longest message shown in the "Needs attention" list; the card below has the whole of it. */
const MAX_LIST_MESSAGE = 240;

/**
 * What a release manager reads first: every failed, unchecked or unverified item, most severe first
 * (profile order within a severity), each with its one-line message or cause and a link to its card.
 */
function failingList(items: CheckResult[], allowUnverified: boolean): string {
  const parts = [`<nav class="failing-list" id="needs-attention" aria-label="Needs attention"><h2>Needs attention (${items.length})</h2>`];
  for (const sev of SEVERITIES) {
    const group = items.filter((r) => r.severity === sev);
    if (!group.length) continue;
    const gating = group.filter((r) => r.gating).length;
    const unverified = group.filter((r) => r.unverified).length;
    const notes = [
      ...(gating ? [`${gating === group.length ? 'all fail' : `${gating} fail`} the gate`] : []),
      ...(unverified ? [`${unverified === group.length ? 'all' : unverified} not verified${allowUnverified ? ' (allowed)' : ''}`] : []),
    ];
    parts.push(`<h3 class="sev-head sev-${sev}">${escapeHtml(sev)} (${group.length})${notes.length ? ` <span class="gating-note">${notes.join(', ')}</span>` : ''}</h3><ul>`);
    for (const r of group) {
      const word = r.unverified
        ? `${UNVERIFIED_ICON} not verified${r.skip ? ` (${SKIP_KIND_WORDS[r.skip.kind] ?? r.skip.kind})` : ''}`
        : `${STATUS_ICONS[r.status]} ${STATUS_LABELS[r.status].toLowerCase()}`;
      const text = r.skip ? unverifiedText(r.skip) : r.message;
      parts.push(
        `<li class="st-${r.unverified ? 'unverified' : r.status}"><span class="st-word">${escapeHtml(word)}</span> <a href="#${escapeHtml(checkAnchor(r.id))}">${escapeHtml(headline(r))}</a> <code>${escapeHtml(r.id)}</code>${
          text ? `<br><span class="msg">${escapeHtml(truncate(oneLine(text), MAX_LIST_MESSAGE))}</span>` : ''
        }</li>`,
      );
    }
    parts.push('</ul>');
  }
  parts.push('</nav>');
  return parts.join('');
}

/** "Jump to" links under the header, with how far sign-off has got: the block itself is at the end. */
function jumpLinks(report: Report, failing: number, waivedOrManual: number): string {
  const signoffs = report.signoffs ?? [];
  const roles = report.signoffRoles ?? [];
  const signedRoles = new Set(signoffs.filter((s) => signoffCurrent(report, s) !== false).map((s) => s.role));
  const signoffState = roles.length
    ? `${roles.filter((r) => signedRoles.has(r)).length} of ${roles.length} roles signed`
    : signoffs.length
      ? `${signoffs.length} recorded`
      : 'none recorded';
  const links = [
    ...(failing ? [`<a href="#needs-attention">Needs attention (${failing})</a>`] : []),
    ...(waivedOrManual ? [`<a href="#waived-manual">Waived and manual (${waivedOrManual})</a>`] : []),
    '<a href="#checks">All checks</a>',
    `<a href="#signoff">Sign-off: ${escapeHtml(signoffState)}</a>`,
  ];
  return `<nav class="jump" aria-label="Contents">${links.join(' · ')}</nav>`;
}

/** The summary's counts with the unverified skips apart: `skip` here counts only the other skips. */
function columnCounts(report: Report): Record<Column, number> {
  const unverified = report.summary.unverified ?? 0;
  return { ...report.summary, unverified, skip: report.summary.skip - unverified };
}

function countsTable(report: Report): string {
  const bySeverity = new Map<Severity, Record<Column, number>>();
  for (const sev of SEVERITIES) bySeverity.set(sev, Object.fromEntries(COLUMNS.map((c) => [c, 0])) as Record<Column, number>);
  for (const r of report.results) {
    const row = bySeverity.get(r.severity);
    const column: Column = r.unverified ? 'unverified' : r.status;
    if (row && row[column] !== undefined) row[column] += 1;
  }
  const head = `<tr><th scope="col">Severity</th>${COLUMNS.map((c) => `<th scope="col">${escapeHtml(COLUMN_LABELS[c])}</th>`).join('')}<th scope="col">Total</th></tr>`;
  const rows = SEVERITIES.map((sev) => {
    const row = bySeverity.get(sev)!;
    const total = COLUMNS.reduce((sum, c) => sum + row[c], 0);
    return `<tr><th scope="row">${escapeHtml(sev)}</th>${COLUMNS.map((c) => `<td class="${row[c] ? `n c-${c}` : 'zero'}">${row[c]}</td>`).join('')}<td>${total}</td></tr>`;
  });
  const all = columnCounts(report);
  const totals = `<tr class="totals"><th scope="row">all</th>${COLUMNS.map((c) => `<td>${all[c]}</td>`).join('')}<td>${report.summary.total}</td></tr>`;
  // In a scrolling box: on a phone the eight columns are wider than the screen, the page is not.
  return `<div class="table-scroll"><table class="counts"><thead>${head}</thead><tbody>${rows.join('')}${totals}</tbody></table></div>`;
}

function statusCards(report: Report): string {
  const counts = columnCounts(report);
  const word = (c: Column, n: number) => (c === 'unverified' ? 'not verified' : n === 1 ? STATUS_WORDS[c].one : STATUS_WORDS[c].many);
  return `<ul class="cards">${COLUMNS.map(
    (c) => `<li class="card st-${c}${counts[c] ? '' : ' zero'}"><span class="num">${counts[c]}</span> <span class="lbl">${escapeHtml(word(c, counts[c]))}</span></li>`,
  ).join('')}</ul>`;
}

/** True/false when we can tell whether a sign-off covers this report's findings, else undefined. */
function signoffCurrent(report: Report, s: Signoff): boolean | undefined {
  if (typeof s.current === 'boolean') return s.current;
  if (s.fingerprint && report.fingerprint) return s.fingerprint === report.fingerprint;
  return undefined;
}

function signoffBlock(report: Report): string {
  const signoffs = report.signoffs ?? [];
  const signedRoles = new Set(signoffs.map((s) => s.role));
  const awaiting = (report.signoffRoles ?? []).filter((role) => !signedRoles.has(role));
  const parts: string[] = ['<section class="signoff" id="signoff"><h2>Sign-off</h2>'];
  if (signoffs.length === 0) parts.push('<p class="empty">No sign-offs or attestations have been recorded for this report.</p>');
  if (awaiting.length) {
    parts.push(
      '<p class="how-to-sign">To sign: <code>readiness signoff --role "&lt;role&gt;" --by "&lt;name&gt;" --report &lt;the JSON report of this run&gt;</code>, then run <code>readiness check</code> again: sign-offs of the same findings show here.</p>',
    );
  }
  if (signoffs.length || awaiting.length) {
    const rows = signoffs.map((s) => {
      const current = signoffCurrent(report, s);
      const state =
        current === false
          ? '<span class="stale-note">signed a run with different findings: sign again</span>'
          : current === true
            ? '<span class="current">covers these findings</span>'
            : '';
      const note = [s.note ? escapeHtml(s.note) : '', s.fingerprint ? `<small>report ${escapeHtml(s.fingerprint)}</small>` : '', state].filter(Boolean).join(' ');
      return `<tr${current === false ? ' class="stale"' : ''}><td>${escapeHtml(s.role)}</td><td>${escapeHtml(s.by)}</td><td>${escapeHtml(s.at)}</td><td>${note}</td></tr>`;
    });
    for (const role of awaiting) rows.push(`<tr class="awaiting"><td>${escapeHtml(role)}</td><td class="line"></td><td class="line"></td><td>awaiting sign-off</td></tr>`);
    parts.push(
      `<table class="signoffs"><thead><tr><th scope="col">Role</th><th scope="col">Signed by</th><th scope="col">When</th><th scope="col">Note</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  }
  parts.push('</section>');
  return parts.join('');
}

const CSS = `
:root{--pass:#1a7f37;--warn:#9a6700;--fail:#cf222e;--error:#8250df;--skip:#6e7781;--waived:#0969da;--unverified:#bc4c00;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;padding:1.5rem;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg);max-width:72rem;margin-inline:auto}
h1,h2{overflow-wrap:anywhere}h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:1.6rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}h3{font-size:1.02rem;margin:0;overflow-wrap:anywhere}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.6rem;margin:.4rem 0;max-height:30rem;overflow:auto}
.gate{border-radius:8px;padding:.8rem 1rem;margin:.8rem 0;font-weight:600;border:2px solid}
.gate.passed{color:var(--pass);border-color:var(--pass);background:#dafbe1}.gate.failed{color:var(--fail);border-color:var(--fail);background:#ffebe9}.gate.incomplete{color:var(--unverified);border-color:var(--unverified);background:#fff1e5}
.gate .verdict{font-size:1.15rem;display:block}.gate .detail{font-weight:400;color:var(--fg);overflow-wrap:anywhere}
dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.6rem 0}dl.run dt{color:var(--muted)}dl.run dd{margin:0;overflow-wrap:anywhere}
.cards{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin:.8rem 0}
.card{border:1px solid var(--line);border-left:6px solid;border-radius:6px;padding:.35rem .8rem;min-width:7.5rem}.card .num{font-size:1.3rem;font-weight:700}.card.zero{opacity:.55}
.st-pass{border-color:var(--pass)}.st-warn{border-color:var(--warn)}.st-fail{border-color:var(--fail)}.st-error{border-color:var(--error)}.st-skip{border-color:var(--skip)}.st-waived{border-color:var(--waived)}.st-unverified{border-color:var(--unverified)}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid var(--line);padding:.25rem .6rem;text-align:left}td{text-align:right}table.signoffs td{text-align:left}
.table-scroll{overflow-x:auto;max-width:100%}.counts td.zero{color:var(--muted)}.c-pass{color:var(--pass)}.c-warn{color:var(--warn)}.c-fail,.c-error{color:var(--fail);font-weight:700}.c-skip{color:var(--skip)}.c-waived{color:var(--waived)}.c-unverified{color:var(--unverified);font-weight:700}.counts tr.totals{font-weight:600;background:var(--soft)}
.notes{border-left:4px solid var(--warn);background:#fff8c5;padding:.5rem .9rem;margin:.8rem 0}.notes li{overflow-wrap:anywhere}
.toolbar{position:sticky;top:0;background:var(--bg);padding:.5rem 0;border-bottom:1px solid var(--line);z-index:1;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.toolbar label{font-weight:600;cursor:pointer}.toolbar .shown{color:var(--muted)}
.check{border:1px solid var(--line);border-left:6px solid var(--skip);border-radius:6px;padding:.7rem .9rem;margin:.7rem 0;break-inside:avoid}
.check.status-pass{border-left-color:var(--pass)}.check.status-warn{border-left-color:var(--warn)}.check.status-fail{border-left-color:var(--fail);background:#fff5f5}.check.status-error{border-left-color:var(--error);background:#fbf7ff}
.check.unverified{border-left-color:var(--unverified);background:#fff8f2}.unverified-note{color:var(--unverified);font-size:.9rem;margin:.2rem 0}.blocked-by{margin:.2rem 0;font-size:.9rem;overflow-wrap:anywhere}
.check.status-waived{border:2px dashed var(--waived);border-left:6px double var(--waived);background:repeating-linear-gradient(135deg,#fff,#fff 12px,#f0f6ff 12px,#f0f6ff 24px)}
.check.manual{border-style:dotted;border-left-style:solid}
.check-head{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:baseline}.check-head h3{flex:1 1 24rem}
.meta{flex-basis:100%;color:var(--muted);font-size:.85rem;overflow-wrap:anywhere}
.badge{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.8rem;font-weight:600;border:1px solid currentColor;white-space:nowrap}
.badge.st-pass{color:var(--pass)}.badge.st-warn{color:var(--warn)}.badge.st-fail{color:#fff;background:var(--fail);border-color:var(--fail)}.badge.st-error{color:#fff;background:var(--error);border-color:var(--error)}.badge.st-skip{color:var(--skip)}.badge.st-waived{color:var(--waived)}.badge.st-unverified{color:#fff;background:var(--unverified);border-color:var(--unverified)}.badge.kind{color:var(--muted)}
.badge.sev-critical{color:var(--fail)}.badge.sev-recommended{color:var(--warn)}.badge.sev-optional{color:var(--muted)}.badge.gating{color:var(--fail)}.badge.manual{color:#953800}.badge.active{color:#953800}
.tag{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:0 .3rem}
.message{white-space:pre-wrap;overflow-wrap:anywhere;margin:.5rem 0;font-weight:500}
dl.ev{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0}dl.ev dt{color:var(--muted)}dl.ev dd{margin:0;overflow-wrap:anywhere}
.fix{border-left:3px solid var(--fg);padding:.1rem .7rem;margin:.5rem 0;background:var(--soft)}.fix p{margin:.2rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
.waiver{color:var(--waived);overflow-wrap:anywhere}.waiver.expired{color:var(--fail)}
.why,.docs{color:var(--muted);font-size:.88rem;overflow-wrap:anywhere}
details.evidence summary{cursor:pointer;color:var(--waived)}
.section-empty,.signoff .empty{color:var(--muted);font-style:italic}.how-to-sign{color:var(--muted);font-size:.88rem;overflow-wrap:anywhere}
@media print{.how-to-sign{display:none}}
table.signoffs{width:100%;table-layout:fixed}table.signoffs td{overflow-wrap:anywhere;vertical-align:top}
.signoffs tr.stale td{background:#fff8c5}.signoffs .stale-note{color:var(--warn);font-weight:600}.signoffs .current{color:var(--pass)}.signoffs tr.awaiting td{color:var(--muted);height:2.4rem}
.waived-list li,.failing-list li{overflow-wrap:anywhere;margin:.25rem 0}
.failing-list ul{list-style:none;padding-left:.4rem;margin:.3rem 0 .8rem}.failing-list .msg{color:var(--muted);font-size:.9rem}
.failing-list .st-word{font-weight:600;font-size:.85rem}.failing-list li.st-fail .st-word{color:var(--fail)}.failing-list li.st-error .st-word{color:var(--error)}.failing-list li.st-unverified .st-word{color:var(--unverified)}
h3.sev-head{font-size:1rem;margin:.8rem 0 .2rem;text-transform:capitalize}h3.sev-critical{color:var(--fail)}h3.sev-recommended{color:var(--warn)}h3.sev-optional{color:var(--muted)}
.gating-note{font-weight:400;text-transform:none;font-size:.85rem}
nav.jump{margin:.6rem 0;font-size:.95rem}
.check.status-skip{padding:.35rem .9rem;margin:.4rem 0}.check.status-skip .message{font-weight:400;margin:.2rem 0}
a{color:var(--waived)}a.self{text-decoration:none;color:var(--muted)}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.5rem;overflow-wrap:anywhere}
body:has(#only-failures:checked) .check:not(.failing):not(.unverified),body.only-failures .check:not(.failing):not(.unverified){display:none}
body:has(#only-failures:checked) section.checks:not(.has-failures),body.only-failures section.checks:not(.has-failures){display:none}
.no-failures-shown{display:none}
body:has(#only-failures:checked) .no-failures-shown.none-failing,body.only-failures .no-failures-shown.none-failing{display:block}
@media print{
 body{padding:0;font-size:11pt;max-width:none}.toolbar,nav.jump{display:none}
 a{color:inherit;text-decoration:none}.check{break-inside:avoid;page-break-inside:avoid}
 details::details-content{content-visibility:visible;display:block}
 pre{max-height:none;overflow:visible}
 section.signoff{break-inside:avoid;page-break-inside:avoid}table.signoffs tr{break-inside:avoid}
 .gate,.check,.card,.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}`;

// Progressive enhancement only: the CSS :has() rule already filters; this adds a fallback class,
// the "N of M shown" count, un-filters when a link targets a hidden check, and opens evidence for print.
const JS = `(function(){
var box=document.getElementById('only-failures');if(!box)return;
var shown=document.getElementById('shown');var all=document.querySelectorAll('.check');
function kept(el){return el.classList.contains('failing')||el.classList.contains('unverified');}
function update(){document.body.classList.toggle('only-failures',box.checked);var n=0;for(var i=0;i<all.length;i++){if(!box.checked||kept(all[i]))n++;}if(shown)shown.textContent=box.checked?n+' of '+all.length+' checks shown':all.length+' checks';}
box.addEventListener('change',update);
function reveal(){var id=location.hash.slice(1);try{id=decodeURIComponent(id);}catch(e){}var el=id&&document.getElementById(id);if(el&&box.checked&&el.classList.contains('check')&&!kept(el)){box.checked=false;update();el.scrollIntoView();}}
window.addEventListener('hashchange',reveal);
window.addEventListener('beforeprint',function(){var d=document.querySelectorAll('details');for(var i=0;i<d.length;i++)d[i].open=true;});
update();reveal();
})();`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** The verdict after its first word: `(fail-on critical)`, `2 critical checks were not verified: …`. */
function verdictDetail(report: Report): string {
  const verdict = gateVerdict(report);
  const word = gateWord(gateStatusOf(report));
  const rest = verdict.startsWith(word) ? verdict.slice(word.length).trimStart() : verdict;
  return rest.startsWith('— ') ? rest.slice(2) : rest;
}

export const html: Reporter = (report) => {
  const status = gateStatusOf(report);
  const verdict = gateWord(status);
  const allowUnverified = report.gate.allowUnverified === true;
  const shown = report.results.filter((r) => !isNotSelected(r));
  const notSelected = report.results.length - shown.length;
  const failing = shown.filter(needsAttention);
  const waived = shown.filter((r) => r.status === 'waived');
  const manual = shown.filter(isManual);

  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<meta name="generator" content="${escapeHtml(`${report.tool.name} ${report.tool.version}`)}">`,
    `<title>Readiness ${verdict} — ${escapeHtml(report.profile.name)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body class="gate-${status}">`,
    '<header class="report-head">',
    `<h1>Readiness report: ${escapeHtml(report.profile.name)}</h1>`,
    `<div class="gate ${status}" role="status"><span class="verdict">${GATE_ICONS[status]} Gate ${verdict}</span><span class="detail">${escapeHtml(verdictDetail(report))}</span></div>`,
    '<dl class="run">',
    `<dt>Profile</dt><dd>${escapeHtml(report.profile.name)} (<code>${escapeHtml(report.profile.path)}</code>)</dd>`,
    `<dt>Environment</dt><dd>${report.environment ? escapeHtml(report.environment) : '<span class="section-empty">not recorded</span>'}</dd>`,
    `<dt>Started</dt><dd><time datetime="${escapeHtml(report.startedAt)}">${escapeHtml(report.startedAt)}</time></dd>`,
    `<dt>Duration</dt><dd>${escapeHtml(formatMs(report.durationMs))}</dd>`,
    `<dt>Tool</dt><dd>${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)}</dd>`,
    ...(report.fingerprint ? [`<dt>Fingerprint</dt><dd><code>${escapeHtml(report.fingerprint)}</code></dd>`] : []),
    `<dt>Gate policy</dt><dd>fail on ${escapeHtml(report.gate.failOn)} and above${report.gate.strict ? ', warnings fail too (strict)' : ''}${
      allowUnverified ? ', --allow-unverified (an incomplete gate exits 0)' : ''
    }</dd>`,
    `<dt>Result</dt><dd>${escapeHtml(summaryCounts(report))}${notSelected ? ` (${notSelected} not selected by --only/--skip)` : ''}</dd>`,
    ...(defaultsUsedLines(report).length
      ? [`<dt>Defaults used</dt><dd>${defaultsUsedLines(report).map((line) => escapeHtml(line)).join('<br>')} <span class="section-empty">(the profile's defaults, not the environment)</span></dd>`]
      : []),
    '</dl>',
    statusCards(report),
    countsTable(report),
    jumpLinks(report, failing.length, waived.length + manual.filter((r) => r.status !== 'waived').length),
    '</header>',
  );

  const notes = reportNotes(report);
  if (notes.length) out.push(`<aside class="notes"><strong>Notes</strong><ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></aside>`);

  if (failing.length) out.push(failingList(failing, allowUnverified));
  if (waived.length || manual.length) {
    const items = [...waived, ...manual.filter((r) => r.status !== 'waived')];
    out.push(
      `<nav class="waived-list" id="waived-manual" aria-label="Waived and manual"><h2>Waived and manual items (${items.length})</h2><ul>${items
        .map(
          (r) =>
            `<li><a href="#${escapeHtml(checkAnchor(r.id))}">${escapeHtml(headline(r))}</a> <code>${escapeHtml(r.id)}</code> — ${
              r.status === 'waived' ? `waived: ${escapeHtml(waiverText(r) ?? '')}` : `manual item, ${escapeHtml(STATUS_LABELS[r.status].toLowerCase())}`
            }</li>`,
        )
        .join('')}</ul></nav>`,
    );
  }

  // The filter works without JavaScript through the CSS :has() rule; the script only adds the count.
  out.push(
    '<div class="toolbar">',
    `<label for="only-failures"><input type="checkbox" id="only-failures" aria-controls="checks"> Show only failures (failed, could not check or not verified${report.gate.strict ? ', and warnings: --strict' : ''})</label>`,
    `<span class="shown" id="shown">${shown.length} checks</span>`,
    '</div>',
  );

  out.push('<main id="checks">');
  out.push(`<p class="no-failures-shown${failing.length ? '' : ' none-failing'}">No check failed or was left unverified.</p>`);
  if (shown.length === 0) out.push('<p class="section-empty">This report holds no checks.</p>');
  for (const { section, results } of groupBySection(shown)) {
    const cls = results.some(needsAttention) ? 'checks has-failures' : 'checks';
    out.push(`<section class="${cls}"><h2>${escapeHtml(section)}</h2>`);
    for (const r of results) out.push(checkCard(r, allowUnverified));
    out.push('</section>');
  }
  if (notSelected) out.push(`<p class="section-empty">${notSelected} check${notSelected === 1 ? ' was' : 's were'} not selected (--only/--skip) and are not shown.</p>`);
  out.push('</main>');

  out.push(signoffBlock(report));
  out.push(
    `<footer>Generated by ${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)} from <code>${escapeHtml(report.profile.path)}</code>, run started ${escapeHtml(report.startedAt)}. This file is self-contained: it loads nothing from the network.</footer>`,
    `<script>${JS}</script>`,
    '</body>',
    '</html>',
  );
  return `${out.join('\n')}\n`;
};
