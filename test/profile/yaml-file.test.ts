// The node tree of a profile file (YamlFile.root) answers what the loader asks — is a value written at this path,
// where does it start, which line and column — exactly as yaml's Document does; and a bundled profile read from
// its snapshot (dist/profiles/<name>.json, written by `npm run build`) is the same file as the parsed one.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { BUNDLED_PROFILES_DIR } from '../../src/paths.js';
import { fromSnapshot, hasIn, nodeAt, positionOf, profileSnapshot, readYamlFile, type YamlFile } from '../../src/profile/yaml-file.js';
import { tempProject } from '../support/temp-profile.js';

type Path = (string | number)[];

/** Every path of the document (sequence indexes as numbers and as strings), and some that are not there. */
function pathsOf(doc: Document): Path[] {
  const paths: Path[] = [[], ['missing'], [0]];
  const walk = (node: unknown, path: Path): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key) || (typeof pair.key.value !== 'string' && typeof pair.key.value !== 'number')) continue;
        const child = [...path, pair.key.value];
        paths.push(child, [...child, 'missing'], [...child, 0]);
        walk(pair.value, child);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        paths.push([...path, i], [...path, String(i)]);
        walk(item, [...path, i]);
      });
      paths.push([...path, node.items.length], [...path, -1], [...path, '']);
    }
  };
  walk(doc.contents, []);
  return paths;
}

/** The position the loader gave before the node tree: straight from yaml's Document. */
function documentPosition(doc: Document, lines: LineCounter, file: string, path: Path, key?: string) {
  for (let depth = path.length; depth >= 0; depth--) {
    let target = (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)) as Node | undefined | null;
    if (!target) continue;
    if (key !== undefined && depth === path.length && isMap(target)) {
      const pair = target.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key)) target = pair.key;
    }
    const offset = target.range?.[0];
    if (offset === undefined) continue;
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  }
  return { file };
}

function expectSameAsDocument(file: YamlFile, text: string): number {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  expect(file.data).toEqual(doc.toJS({ maxAliasCount: 100 }));
  let compared = 0;
  for (const path of pathsOf(doc)) {
    expect(hasIn(file, path), `hasIn ${JSON.stringify(path)}`).toBe(doc.hasIn(path));
    const node = doc.getIn(path, true) as Node | null | undefined;
    expect(nodeAt(file, path)?.at, `nodeAt ${JSON.stringify(path)}`).toBe(node ? node.range?.[0] : undefined);
    expect(positionOf(file, path), `positionOf ${JSON.stringify(path)}`).toEqual(documentPosition(doc, lines, file.path, path));
    const value = doc.getIn(path, true);
    for (const key of isMap(value) ? value.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '?')).concat('missing') : []) {
      expect(positionOf(file, path, key), `positionOf ${JSON.stringify(path)} key ${key}`).toEqual(documentPosition(doc, lines, file.path, path, key));
    }
    compared++;
  }
  return compared;
}

describe('YamlFile node tree', () => {
  it('answers like yaml’s Document for aliases, merge keys, flow maps, empty values, odd keys and sequences', () => {
    const text = `version: 1
base: &base
  timeout: 3s
  with: { url: "http://x", flag }
checks:
  a:
    <<: *base
    type: http.endpoint
    needs: [b, c]
  b:
    type: file
    needs: a
    with:
  "c":
    type: manual
    with: *base
    list:
      -
      - x
      - [1, 2]
  1: numeric key
  ~: null key
empty:
`;
    const dir = tempProject({ 'profile.yaml': text });
    const file = readYamlFile(join(dir, 'profile.yaml'));
    expect(expectSameAsDocument(file, text)).toBeGreaterThan(50);
  });

  it('is empty for an empty document', () => {
    const dir = tempProject({ 'empty.yaml': '' });
    const file = readYamlFile(join(dir, 'empty.yaml'));
    expectSameAsDocument(file, '');
  });
});

describe('bundled profile snapshots', () => {
  const bundled = readdirSync(BUNDLED_PROFILES_DIR).filter((name) => name.endsWith('.yaml'));

  it.each(bundled)('%s: the build wrote the snapshot of the current text, and it reads as the parsed file', (name) => {
    const path = join(BUNDLED_PROFILES_DIR, name);
    const snapshot = profileSnapshot(path);
    expect(snapshot).toBeDefined();
    expect(readFileSync(snapshot!.file, 'utf8')).toBe(snapshot!.json); // else `npm run build` was not run
    const file = readYamlFile(path);
    expect(expectSameAsDocument(file, readFileSync(path, 'utf8'))).toBeGreaterThan(10);
  });

  it('a snapshot is used only for the exact text it was made from', () => {
    const path = join(BUNDLED_PROFILES_DIR, 'saas.yaml');
    const text = readFileSync(path, 'utf8');
    expect(fromSnapshot(path, text)?.data).toEqual(parseDocument(text).toJS());
    expect(fromSnapshot(path, text.replace('name:', 'name: edited #'))).toBeUndefined();
    expect(fromSnapshot(path, `${text}\n`)).toBeUndefined();
  });

  it('no snapshot when JSON cannot hold the values exactly', () => {
    const dir = tempProject({ 'odd.yaml': 'version: 1\nname: odd\nlimit: .inf\n' });
    expect(profileSnapshot(join(dir, 'odd.yaml'))).toBeUndefined();
    writeFileSync(join(dir, 'ok.yaml'), 'version: 1\nname: ok\n');
    expect(profileSnapshot(join(dir, 'ok.yaml'))).toBeDefined();
  });
});
