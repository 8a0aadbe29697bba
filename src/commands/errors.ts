export const EXIT = {
  ok: 0,
  /** The gate failed: at least one gating check failed or could not be checked. */
  gateFailed: 1,
  /** Usage or profile error: nothing ran. */
  usage: 2,
  /** Interrupted by Ctrl-C (after writing the partial report). */
  interrupted: 130,
} as const;

/** A problem with how the tool was called: printed as one line, exit 2, no stack trace. */
export class UsageError extends Error {}
