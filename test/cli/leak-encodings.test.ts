// Every encoding of a secret that a server may echo (percent-encoded, JSON/HTML-escaped, base64, HTTP Basic,
// SMTP AUTH PLAIN, a query parameter) and a secret a check registers itself: none appears in any format,
// in -v or in --debug output. The check module plays the hostile server: it puts every form in its verdict,
// its evidence and its log lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const PASSWORD = 'Pl@nted Db/Pw&42';
const USER = 'app';
const RECEIVED = 'Received-Session-Token-5521';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const forms = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  encodeURIComponent(PASSWORD).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  encodeURIComponent(PASSWORD).replace(/%20/g, '+'),
  JSON.stringify(PASSWORD).slice(1, -1),
  PASSWORD.replace(/&/g, '&amp;'),
  b64(PASSWORD),
  b64(`${USER}:${PASSWORD}`),
  b64(`\u0000${USER}\u0000${PASSWORD}`),
];

const LEAKY = `import { z } from 'zod';
const forms = ${JSON.stringify(forms)};
export default {
  meta: { type: 'leaky', title: 'Leaky server answers', failureTitle: 'Leaky server', description: 'echoes secrets', remediation: 'r', docs: 'x' },
  params: z.object({}).strict(),
  async run({ addSecret, log }) {
    addSecret(${JSON.stringify(RECEIVED)});
    for (const f of forms) log.debug('server said ' + f);
    log.debug('got session ${RECEIVED}');
    return {
      status: 'fail',
      message: 'server echoed ' + forms.join(' | ') + ' and https://h/cb?access_token=${RECEIVED}x&page=2',
      evidence: { expected: 'nothing', actual: forms, details: { header: 'Authorization: Basic ' + ${JSON.stringify(b64(`${USER}:${PASSWORD}`))}, session: ${JSON.stringify(RECEIVED)} } },
      remediation: 'rotate ${RECEIVED}',
    };
  },
};
`;

describe('no encoding of a secret leaks', () => {
  it('masks every form in every format, -v and --debug', async () => {
    const dir = tempProject({
      'readiness.yaml': 'version: 1\nname: Leak test\nchecks:\n  echo:\n    type: ./leaky.mjs\n',
      'leaky.mjs': LEAKY,
    });
    const env = { DATABASE_URL: `postgres://${USER}:${encodeURIComponent(PASSWORD)}@db.internal:5432/app` };
    const outputs: string[] = [];
    for (const format of ['pretty', 'json', 'junit', 'markdown', 'github', 'tap', 'html']) {
      const result = await runCli(['check', '-v', '--debug', '-f', format, '-f', `${format}:out/report.${format}`], { cwd: dir, env });
      expect(result.code, `${format}: ${result.stderr}`).toBe(1);
      outputs.push(result.stdout, result.stderr, readFileSync(join(dir, `out/report.${format}`), 'utf8'));
    }
    const all = outputs.join('\n');
    expect(all).toMatch(/\[redacted\]/);
    expect(all).toContain('page=2');
    for (const form of [...forms, RECEIVED]) expect(all.includes(form), `leaked: ${form}`).toBe(false);
  }, 60_000);
});
