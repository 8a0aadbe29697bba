// docs/checks.md is generated from the check modules: the committed file must be what the generator
// writes now (other check types keep arriving), each type sits under the anchor its meta.docs names,
// and `readiness explain <type>` prints that type's section word for word.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CHECKS_MD_PATH, checkSection, generateChecksMd, renderChecksMd, typeAnchor } from '../../src/docs/checks-md.js';
import { builtinModuleFile, explainType, possibleStatuses, statusesInSource } from '../../src/docs/describe.js';
import { builtinTypes, loadAllBuiltins, loadCheckType } from '../../src/engine/registry.js';
import { ROOT, runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const STALE = 'docs/checks.md is stale: run `npm run docs` and commit docs/checks.md';

/** The first line where two texts differ, for a failure message a person can act on. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: generated ${JSON.stringify(a[at] ?? '(end of file)')}, committed ${JSON.stringify(b[at] ?? '(end of file)')}`;
}

describe('docs/checks.md', () => {
  it('is up to date with the check modules', async () => {
    const fresh = await generateChecksMd();
    let committed = '';
    try {
      committed = readFileSync(resolve(ROOT, CHECKS_MD_PATH), 'utf8');
    } catch {
      throw new Error(`${CHECKS_MD_PATH} is missing: run \`npm run docs\` and commit it`);
    }
    if (committed !== fresh) expect.fail(`${STALE} (${firstDifference(fresh, committed)})`);
  });

  it('holds every built-in type under the anchor its meta.docs names, with its explain text verbatim', async () => {
    const text = await generateChecksMd();
    const checks = await loadAllBuiltins();
    expect(checks.length).toBe(builtinTypes().length);
    for (const check of checks) {
      const anchor = typeAnchor(check.meta.type);
      expect(check.meta.docs, check.meta.type).toBe(`docs/checks.md#${anchor}`);
      expect(text.split(`<a id="${anchor}"></a>`), `one anchor for ${check.meta.type}`).toHaveLength(2);
      expect(text).toContain(`\n${explainType(check)}\n`);
      expect(text).toContain(`| [${check.meta.type}](#${anchor}) |`);
    }
  });

  it('documents what the issue asks for: parameters with types and defaults, statuses, remediation, mode', async () => {
    const section = checkSection(await loadCheckType('postgres.connect'));
    expect(section).toMatch(/^<a id="postgres-connect"><\/a>\n\n### postgres\.connect\n\npostgres\.connect — /);
    expect(section).toMatch(/^- url_env \(string, default "DATABASE_URL"\): /m);
    expect(section).toMatch(/^Statuses it can give: pass, warn, fail, error\.$/m);
    expect(section).toMatch(/^Read-only: this check changes nothing/m);
    expect(section).toMatch(/^When it fails: Check DATABASE_URL/m);
    expect(section).toMatch(/^Title when it does not pass: /m);
    const active = (await loadAllBuiltins()).find((c) => c.meta.active);
    if (active) expect(checkSection(active)).toMatch(/^ACTIVE: this check sends or changes something; it runs only when explicitly enabled\. Until then it is not verified: a gating one makes the gate INCOMPLETE\.$/m);
  });

  it('renders deterministically whatever order the modules load in', async () => {
    const checks = await loadAllBuiltins();
    expect(renderChecksMd([...checks].reverse())).toBe(renderChecksMd(checks));
  });

  it('`npm run docs` (the script on the compiled modules) writes the same file', async () => {
    // dist/ is built by `npm test` (pretest) and by `npm run docs`; the check mode writes nothing.
    const result = await promisify(execFile)(process.execPath, [resolve(ROOT, 'scripts', 'generate-docs.mjs'), '--check'], { cwd: ROOT }).catch((err) => err);
    expect(result.stderr ?? '', `${STALE} (or dist/ is older than the sources: npm run build)`).toBe('');
    expect(result.stdout).toMatch(/docs\/checks\.md is up to date/);
  });

  it('`readiness explain <type>` prints the type\'s section of docs/checks.md', async () => {
    const docs = readFileSync(resolve(ROOT, CHECKS_MD_PATH), 'utf8');
    // In a directory without a profile: with one, the output redactor also masks `${VAR}` placeholders in example URLs.
    const dir = tempProject({});
    for (const type of ['postgres.connect', 'env.vars']) {
      const result = await runCli(['explain', type], { cwd: dir });
      expect(result.code).toBe(0);
      expect(docs).toContain(`### ${type}\n\n${result.stdout}`);
    }
  });
});

describe('statuses a check can give, read from its source', () => {
  it('counts the verdict builders a module imports and calls, and status literals', () => {
    const source = [
      "import { combine, defineCheck, error as errorVerdict, fail, pass, skip, type Verdict } from '../../src/check.js';",
      "import type { warn } from '../../src/check.js';",
      '// warn(is only in a comment)',
      '/* skip(also only in a comment) */',
      'const a = [...fail("spread"), errorVerdict("x")];',
      'console.error("not a verdict"); obj.pass(1);',
      "return { status: cond ? 'warn' : 'pass', message };",
    ].join('\n');
    expect(statusesInSource(source)).toEqual(['pass', 'warn', 'fail', 'error']);
    expect(statusesInSource("import { skip } from '../check.js';\nexport const x = 1;")).toEqual([]);
  });

  it('follows the project helpers a module imports, but not the contract that defines every builder', () => {
    const root = resolve(ROOT, 'test-artifacts', 'tmp');
    mkdirSync(root, { recursive: true });
    const dir = mkdtempSync(join(root, 'statuses-'));
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'helper.ts'), "import { skip } from '../../../../src/check.js';\nexport const h = () => skip('n/a');\n");
    writeFileSync(join(dir, 'mod.ts'), "import { fail } from '../../../src/check.js';\nimport { h } from './lib/helper.js';\nexport const run = () => (x ? h() : fail('no'));\n");
    writeFileSync(join(dir, 'plain.ts'), "import { defineCheck } from '../../../src/check.js';\nexport default 1;\n");
    expect(possibleStatuses(join(dir, 'mod.ts'))).toEqual(['pass', 'fail', 'error', 'skip']);
    expect(possibleStatuses(join(dir, 'plain.ts'))).toEqual(['pass', 'error']);
  });

  it('finds warnings in the built-in checks that give them', () => {
    expect(possibleStatuses(builtinModuleFile('tls.certificate')!)).toContain('warn');
    expect(builtinModuleFile('no.such.type')).toBeUndefined();
    expect(builtinModuleFile('../escape')).toBeUndefined();
  });
});
