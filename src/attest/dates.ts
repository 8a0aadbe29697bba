// Calendar days (UTC) for attestation dates and expiries.
import { parseDuration } from '../duration.js';

/** `YYYY-MM-DD` of a moment, in UTC. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written as YYYY-MM-DD. */
export function isIsoDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && isoDay(date) === text;
}

/**
 * `--expires 90d` (a duration from now) or `--expires 2026-03-31` (a date) → the last day the
 * attestation is valid, YYYY-MM-DD inclusive. Undefined with a reason when the text is neither or
 * lies in the past.
 */
export function expiryDay(text: string, now: Date): { day: string } | { problem: string } {
  const trimmed = text.trim();
  let day: string;
  if (isIsoDay(trimmed)) day = trimmed;
  else {
    const ms = parseDuration(trimmed);
    if (ms === undefined || ms <= 0) return { problem: `expected a duration such as 30d, 12w or a date as YYYY-MM-DD, got "${text}"` };
    day = isoDay(new Date(now.getTime() + ms));
  }
  if (day < isoDay(now)) return { problem: `${day} is in the past` };
  return { day };
}
