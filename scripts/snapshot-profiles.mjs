#!/usr/bin/env node
// Part of `npm run build`: writes a snapshot of each bundled profile (profiles/<name>.yaml → dist/profiles/<name>.json)
// with its parsed data, node tree and line starts, so a profile that extends one does not parse ~150 KB of YAML on
// every run. The loader uses a snapshot only for the exact text it was made from (see src/profile/yaml-file.ts).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_PROFILES_DIR } from '../dist/src/paths.js';
import { profileSnapshot, SNAPSHOT_DIR } from '../dist/src/profile/yaml-file.js';

mkdirSync(SNAPSHOT_DIR, { recursive: true });
for (const name of readdirSync(BUNDLED_PROFILES_DIR).filter((n) => n.endsWith('.yaml'))) {
  const snapshot = profileSnapshot(join(BUNDLED_PROFILES_DIR, name));
  if (snapshot) {
    writeFileSync(snapshot.file, snapshot.json);
  } else {
    rmSync(join(SNAPSHOT_DIR, name.replace(/\.yaml$/, '.json')), { force: true });
    console.warn(`snapshot-profiles: profiles/${name} holds values JSON cannot keep exactly; it will be parsed at run time`);
  }
}
