import { DipError, excerpt } from '../errors';
import { chronicPackageScheme } from './chronic-package';
import { diabetesCapitationScheme } from './diabetes-capitation';
import { diseaseCapitationScheme } from './disease-capitation';
import { medicalGroupScheme } from './medical-group';
import { SCHEME_IDS, SchemeDefinition, SchemeId } from './scheme';
import { ziboBudgetScheme } from './zibo-budget';

/** Every scheme the service runs besides DIP, by id (SCHEMES.md). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SCHEMES: Record<SchemeId, SchemeDefinition<any>> = {
  'medical-group': medicalGroupScheme,
  'zibo-budget': ziboBudgetScheme,
  'disease-capitation': diseaseCapitationScheme,
  'diabetes-capitation': diabetesCapitationScheme,
  'chronic-package': chronicPackageScheme,
};

/** The scheme of an id a user gave; not-found `unknown-scheme` naming the schemes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function schemeOf(id: string): SchemeDefinition<any> {
  if (!(SCHEME_IDS as readonly string[]).includes(id))
    throw new DipError('not-found', 'unknown-scheme', `no scheme ${excerpt(id)}; the schemes are ${SCHEME_IDS.join(', ')}`);
  return SCHEMES[id as SchemeId];
}

export * from './scheme';
export { readTable, headerProblems, tableSpec } from './scheme-input';
export type { RawCell } from './scheme-input';
export * from './reconciliation';
export { medicalGroupScheme, MEDICAL_GROUP_TABLES, GROUP_PARTIES, sharesForSchemeYear } from './medical-group';
export type { MedicalGroupPolicy, GroupFigures, GroupShares, GroupParty } from './medical-group';
export { ziboBudgetScheme, ZIBO_BUDGET_TABLES, dipBudgetInputs, OTHER_METHODS, CAPITATION_LINES, LAST_YEAR_ITEMS } from './zibo-budget';
export type { ZiboBudgetPolicy, ZiboPoolPolicy, ZiboPoolTree, ZiboRegionFigures, LineFigures, DipBudgetInputs } from './zibo-budget';
