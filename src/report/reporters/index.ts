// The reporters by format name, as `-f/--format` accepts them.
import type { Reporter } from '../model.js';
import { github } from './github.js';
import { html } from './html.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { markdown } from './markdown.js';
import { pretty } from './pretty.js';
import { tap } from './tap.js';

export const REPORTERS = { pretty, json, junit, markdown, github, tap, html } satisfies Record<string, Reporter>;

export { FORMAT_NAMES, isFormatName, loadReporter, type FormatName } from './names.js';
