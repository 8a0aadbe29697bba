// Profile warnings: things that load fine but weaken the gate. Pure functions over the resolved checks.
import { SEVERITIES, type Severity } from '../report/model.js';

interface NeedingCheck {
  id: string;
  severity: Severity;
  needs: readonly string[];
}

export interface WeakNeed {
  id: string;
  severity: Severity;
  need: string;
  needSeverity: Severity;
  message: string;
}

/**
 * A check that needs a check of lower severity: when the needed one fails, it only warns or fails
 * quietly (it does not gate), while the needing one is blocked and so not verified — the gate is
 * INCOMPLETE for a reason that reads as minor. Worth knowing before a release night.
 */
export function weakerNeeds(checks: readonly NeedingCheck[]): WeakNeed[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const found: WeakNeed[] = [];
  for (const check of checks) {
    for (const need of check.needs) {
      const needed = byId.get(need);
      if (!needed || rank(needed.severity) <= rank(check.severity)) continue;
      found.push({
        id: check.id,
        severity: check.severity,
        need,
        needSeverity: needed.severity,
        message: `${check.severity} ${check.id} needs ${needed.severity} ${need}: when ${need} does not pass, ${check.id} is not verified (give ${need} severity ${check.severity}, or drop the need)`,
      });
    }
  }
  return found;
}
