import { z } from 'zod';
import { defineCheck, error } from '../../src/check.js';
import { rowsExpectationParams } from '../../src/db/expect.js';
import { runRowsCheck } from '../../src/db/gather.js';
import { sqliteFileParams, resolveSqliteTarget } from '../../src/db/target.js';

export default defineCheck({
  meta: {
    type: 'sqlite.rows',
    title: 'SQLite seed data is present',
    failureTitle: 'SQLite seed data is missing or wrong',
    description:
      'The dev twin of postgres.rows: a table, or a read-only SELECT, in an SQLite file opened read-only has the ' +
      'expected row count and rows with the expected values.',
    remediation: 'Run the seed script against this SQLite file and compare the rows shown with the expected ones.',
    docs: 'docs/checks.md#sqlite-rows',
  },
  params: z.object({ ...sqliteFileParams, ...rowsExpectationParams }).strict(),
  async run(ctx) {
    const { target, problem } = resolveSqliteTarget(ctx.params, ctx.env, ctx.baseDir);
    if (!target) return error(problem);
    return runRowsCheck(target, ctx.params, ctx);
  },
});
