// Waivers: an accepted failure, shown and counted apart, until its date; after that the check gates again.
import type { Status } from '../check.js';
import type { WaiverInfo } from '../report/model.js';

export interface Waiver {
  reason: string;
  until: string;
  by?: string;
}

/** A waiver covers its `until` day entirely (UTC) and expires when the next day begins. */
export function isWaiverExpired(until: string, today: Date): boolean {
  return today.getTime() >= Date.parse(`${until}T00:00:00Z`) + 86_400_000;
}

export interface Judged {
  status: Status;
  /** The whole message, unchecked parts included. */
  message: string;
  /** The message of the failure alone (without the unchecked parts). */
  primary?: string;
  /** With `fail`: the parts that could not be checked. */
  unchecked?: readonly string[];
}

export function applyWaiver(
  judged: Judged,
  waiver: Waiver | undefined,
  today: Date,
): { status: Status; message: string; waiver?: WaiverInfo; unchecked?: string[] } {
  const { status, message } = judged;
  const unchecked = judged.unchecked?.length ? [...judged.unchecked] : undefined;
  if (!waiver) return { status, message, unchecked };
  const expired = isWaiverExpired(waiver.until, today);
  const info: WaiverInfo = { reason: waiver.reason, until: waiver.until, ...(waiver.by ? { by: waiver.by } : {}), expired };
  // Only a checked-and-failed result (or a concern) is waived: "could not check" still needs attention.
  if (status !== 'fail' && status !== 'warn') return { status, message, waiver: info, unchecked };
  if (expired) return { status, message: `${message} (waiver expired ${waiver.until}: ${waiver.reason})`, waiver: info, unchecked };
  if (unchecked) {
    // The waiver accepts the failure that was found, not the parts nobody could check: those still gate.
    return {
      status: 'error',
      message: `${unchecked.join('; ')} (the failure found is waived until ${waiver.until}: ${judged.primary ?? message})`,
      waiver: info,
      unchecked,
    };
  }
  return { status: 'waived', message, waiver: info };
}
