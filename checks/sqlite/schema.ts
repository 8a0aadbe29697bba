import { z } from 'zod';
import { defineCheck, error } from '../../src/check.js';
import { schemaExpectationParams } from '../../src/db/expect.js';
import { runSchemaCheck } from '../../src/db/gather.js';
import { sqliteFileParams, resolveSqliteTarget } from '../../src/db/target.js';

export default defineCheck({
  meta: {
    type: 'sqlite.schema',
    title: 'SQLite schema is initialized',
    failureTitle: 'SQLite schema is incomplete',
    description:
      'The dev twin of postgres.schema: expected tables, columns and migrations in an SQLite file opened read-only. ' +
      'Extensions do not exist in SQLite and are reported as not checked.',
    remediation: 'Run the migrations against this SQLite file and make sure the application uses the same path.',
    docs: 'docs/checks.md#sqlite-schema',
  },
  params: z.object({ ...sqliteFileParams, ...schemaExpectationParams }).strict(),
  async run(ctx) {
    const { target, problem } = resolveSqliteTarget(ctx.params, ctx.env, ctx.baseDir);
    if (!target) return error(problem);
    return runSchemaCheck(target, 'main', ctx.params, ctx);
  },
});
