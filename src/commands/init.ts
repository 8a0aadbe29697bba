import { existsSync } from 'node:fs';
import { createOutput } from '../write.js';
import { EXIT, UsageError } from './errors.js';

export const STARTER_PROFILE = `# readiness profile — run \`readiness check\`; \`readiness explain <type>\` documents each check type.
# Editor completion: \`readiness schema -o readiness.schema.json\`, then keep the next line.
# yaml-language-server: $schema=./readiness.schema.json
version: 1
name: My service — production
env_files: [.env]
defaults: { timeout: 10s, retries: 0, severity: critical }

checks:
  env.required:
    type: env.vars
    section: Environment
    with:
      required: [APP_ENV, DATABASE_URL]
      equals: { APP_ENV: production }

  backend.health:
    type: http.endpoint
    section: Backend
    needs: [env.required]
    with:
      url: \${BACKEND_URL:-http://localhost:8000}/health
      status: 200
      max_response_time: 2s

  tools.node:
    type: command
    section: Host
    severity: recommended
    with:
      argv: [node, --version]
      version: ">=18"
`;

export async function initCommand(options: { profile: string; force?: boolean }): Promise<number> {
  const out = createOutput();
  if (existsSync(options.profile) && !options.force) {
    throw new UsageError(`${options.profile} already exists; use --force to overwrite it`);
  }
  out.file(options.profile, STARTER_PROFILE);
  out.stdout(`wrote ${options.profile} — edit it, then run: readiness check${options.profile === 'readiness.yaml' ? '' : ` -p ${options.profile}`}`);
  return EXIT.ok;
}
