// Machine-readable report: the report model already is the versioned shape (schemaVersion).
import type { Reporter } from '../model.js';

/** BigInt evidence (row counts from a driver) would make JSON.stringify throw: write it as a string. */
const replacer = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

export const json: Reporter = (report) => `${JSON.stringify(report, replacer, 2)}\n`;
