// zod building blocks shared by check parameter schemas, so every check spells these the same way.
import { z } from 'zod';
import { parseDuration, DURATION_HINT } from './duration.js';

/** A duration (`10s`, `5m`, a number of seconds) parsed to milliseconds. */
export const duration = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });

/** A number that may arrive as a string from an environment variable (`${PG_MIN_VERSION:-14}`). */
export const numberish = () =>
  z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'expected a number').transform(Number)]);

/** An integer that may arrive as a string from an environment variable. */
export const intish = () =>
  z.union([z.number().int(), z.string().trim().regex(/^-?\d+$/, 'expected a whole number').transform(Number)]);

/** A boolean that may arrive as a string from an environment variable (`true`/`false`/`1`/`0`/`yes`/`no`). */
export const boolish = () =>
  z.union([
    z.boolean(),
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  ]);

/** One value or a list of them; always a list after parsing. */
export const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);

/** HTTP status expectation: a code (200), a list ([200, 204]) or a range ("200-299", "2xx"). */
export const statusExpectation = () =>
  z.union([z.number().int(), z.string(), z.array(z.union([z.number().int(), z.string()]))]);
