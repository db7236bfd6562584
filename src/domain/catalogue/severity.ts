import { groupingCode } from '../codes';
import { SeverityClass } from './catalogue';

/** The region's secondary-diagnosis lists that type a case's severity (spec §4.8). */
export interface SeverityLists {
  severe: ReadonlySet<string>;
  moderate: ReadonlySet<string>;
}

export const NO_SEVERITY_LISTS: SeverityLists = { severe: new Set(), moderate: new Set() };

/**
 * Spec §4.8: 4 = died (discharge mode 5); 3 = LOS ≥ 3 and a secondary diagnosis on the severe
 * list; 2 = LOS ≥ 3 and one on the moderate list; 1 otherwise. A dagger pair matches by the
 * part before `+`.
 */
export function severityClass(
  c: { dischargeMode: string; losDays: number; secondaryDiagnoses: readonly string[] },
  lists: SeverityLists,
): SeverityClass {
  if (c.dischargeMode === '5') return 4;
  if (c.losDays < 3) return 1;
  let moderate = false;
  for (const d of c.secondaryDiagnoses) {
    const code = groupingCode(d);
    if (lists.severe.has(code)) return 3;
    if (!moderate && lists.moderate.has(code)) moderate = true;
  }
  return moderate ? 2 : 1;
}
