import { z } from 'zod';
import { defineCheck, error } from '../../src/check.js';
import { rowsExpectationParams } from '../../src/db/expect.js';
import { runRowsCheck } from '../../src/db/gather.js';
import { pgConnectionParams, resolveDbTarget } from '../../src/db/target.js';

export default defineCheck({
  meta: {
    type: 'postgres.rows',
    title: 'Seed data is present',
    failureTitle: 'Seed data is missing or wrong',
    description:
      'Checks seed data (e.g. the 4 subscription plans with their prices): a table, or a read-only SELECT from the ' +
      'profile, has the expected row count and rows with the expected values. Runs in a READ ONLY transaction with ' +
      'statement_timeout. A sqlite: or file: URL (e.g. DATABASE_URL=sqlite:///dev.db) is checked with the SQLite ' +
      'logic of sqlite.rows, so one profile serves dev and production.',
    remediation: 'Run the seed script (or the data migration) against this database and compare the rows shown with the expected ones.',
    docs: 'docs/checks.md#postgres-rows',
  },
  params: z.object({ ...pgConnectionParams, ...rowsExpectationParams }).strict(),
  async run(ctx) {
    const { target, problem } = resolveDbTarget(ctx.params, ctx.env, ctx.baseDir);
    if (!target) return error(problem);
    return runRowsCheck(target, ctx.params, ctx);
  },
});
