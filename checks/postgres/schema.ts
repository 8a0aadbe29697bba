import { z } from 'zod';
import { defineCheck, error } from '../../src/check.js';
import { schemaExpectationParams } from '../../src/db/expect.js';
import { runSchemaCheck } from '../../src/db/gather.js';
import { pgConnectionParams, resolveDbTarget } from '../../src/db/target.js';

export default defineCheck({
  meta: {
    type: 'postgres.schema',
    title: 'Database schema is initialized',
    failureTitle: 'Database schema is incomplete',
    description:
      'Proves the migrations ran against this database: the expected tables (and columns, extensions) exist and the ' +
      'migrations table is at the expected head with no failed entry. Read-only: catalog queries inside a READ ONLY ' +
      'transaction. A sqlite: or file: URL (e.g. DATABASE_URL=sqlite:///dev.db) is checked with the SQLite logic of ' +
      'sqlite.schema, so one profile serves dev and production.',
    remediation:
      'Run the migrations against this database (alembic upgrade head, prisma migrate deploy, knex migrate:latest…) ' +
      'and make sure the application points at the same database and schema.',
    docs: 'docs/checks.md#postgres-schema',
  },
  params: z
    .object({
      ...pgConnectionParams,
      schema: z.string().min(1).default('public').describe('Schema to inspect (SQLite: always the main database)'),
      ...schemaExpectationParams,
    })
    .strict(),
  async run(ctx) {
    const { target, problem } = resolveDbTarget(ctx.params, ctx.env, ctx.baseDir);
    if (!target) return error(problem);
    return runSchemaCheck(target, ctx.params.schema, ctx.params, ctx);
  },
});
