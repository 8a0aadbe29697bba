// Golden files: every reporter on every fixture. Review a diff in test/report/golden/ like code;
// update deliberately with `npx vitest run test/report -u`.
import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, loadReporter, REPORTERS, type FormatName } from '../../../src/report/reporters/index.js';
import { FIXTURES } from '../fixtures/reports.js';

const EXT: Record<FormatName, string> = { pretty: 'txt', json: 'json', junit: 'xml', markdown: 'md', github: 'txt', tap: 'tap', html: 'html' };

describe.each(FORMAT_NAMES)('%s golden files', (format) => {
  it.each(Object.keys(FIXTURES))('%s report', async (fixture) => {
    const output = REPORTERS[format](FIXTURES[fixture], { color: false, verbose: false });
    await expect(output).toMatchFileSnapshot(`../golden/${format}/${fixture}.${EXT[format]}`);
  });
});

describe('golden files with options', () => {
  it('pretty in colour', async () => {
    await expect(REPORTERS.pretty(FIXTURES.full, { color: true, verbose: false })).toMatchFileSnapshot('../golden/pretty/full.color.txt');
  });

  it('pretty verbose', async () => {
    await expect(REPORTERS.pretty(FIXTURES.full, { color: false, verbose: true })).toMatchFileSnapshot('../golden/pretty/full.verbose.txt');
  });

  it('tap verbose', async () => {
    await expect(REPORTERS.tap(FIXTURES.full, { color: false, verbose: true })).toMatchFileSnapshot('../golden/tap/full.verbose.tap');
  });
});

describe('every reporter', () => {
  const options = [
    { color: false, verbose: false },
    { color: true, verbose: true },
  ];

  it.each(FORMAT_NAMES)('%s is deterministic and a pure function of the report', (format) => {
    for (const fixture of Object.values(FIXTURES)) {
      for (const opts of options) {
        const before = JSON.stringify(fixture);
        const first = REPORTERS[format](fixture, opts);
        expect(REPORTERS[format](structuredClone(fixture), opts)).toBe(first);
        expect(JSON.stringify(fixture)).toBe(before); // the report is not mutated
      }
    }
  });

  it.each(FORMAT_NAMES)('%s ends with a newline unless empty', (format) => {
    for (const fixture of Object.values(FIXTURES)) {
      const output = REPORTERS[format](fixture, { color: false, verbose: false });
      if (output !== '') expect(output.endsWith('\n')).toBe(true);
    }
  });

  it('the map holds exactly the documented formats', () => {
    expect(FORMAT_NAMES).toEqual(['pretty', 'json', 'junit', 'markdown', 'github', 'tap', 'html']);
    expect(Object.keys(REPORTERS)).toEqual([...FORMAT_NAMES]);
    for (const name of FORMAT_NAMES) expect(typeof REPORTERS[name]).toBe('function');
  });

  it('loads each reporter lazily by name, the same function as in the map', async () => {
    for (const name of FORMAT_NAMES) expect(await loadReporter(name)).toBe(REPORTERS[name]);
  });
});
