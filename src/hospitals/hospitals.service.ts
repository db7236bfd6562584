import { Injectable } from '@nestjs/common';
import Papa from 'papaparse';
import { Readable } from 'node:stream';
import { CodeTablesService } from '../codes/code-tables.service';
import { Environment } from '../config/environment';
import { invalid, notFound, Problem } from '../domain/errors';
import { Hospital, validateHospital } from '../domain/hospital';
import { parseJson, readText } from '../io/text-input';
import { HospitalsStore, HospitalUpsertResult } from './hospitals.store';

export type { HospitalUpsertResult } from './hospitals.store';

/** Registers and updates hospitals: from HTTP bodies, CSV or JSON files; every change audited. */
@Injectable()
export class HospitalsService {
  constructor(
    private readonly store: HospitalsStore,
    private readonly codeTables: CodeTablesService,
    private readonly env: Environment,
  ) {}

  /**
   * Creates or updates hospitals. Hospital lists are small and every one of them matters for
   * payment, so any bad row refuses the whole list, naming each problem by row and field.
   * `region`: the one region the actor may write (an agency user's); a hospital of another
   * region, new or stored, is a problem of its row. Null: any (the CLI's operator).
   */
  async upsert(rows: readonly unknown[], actor: string, region: string | null = null, rowBase = 0): Promise<HospitalUpsertResult> {
    const problems: Problem[] = [];
    const hospitals: Hospital[] = [];
    const seen = new Map<string, number>();
    rows.forEach((raw, i) => {
      const line = i + rowBase;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        problems.push({ line, field: '*', reason: 'must be an object with the hospital fields' });
        return;
      }
      const v = validateHospital(raw as Record<string, unknown>);
      if ('errors' in v) v.errors.forEach((e) => problems.push({ line, ...e }));
      else if (seen.has(v.hospital.code)) problems.push({ line, field: 'code', reason: `repeats row ${seen.get(v.hospital.code)}` });
      else {
        seen.set(v.hospital.code, line);
        hospitals.push(v.hospital);
      }
    });
    if (region !== null) problems.push(...(await this.outsideRegion(hospitals, region, seen)));
    if (problems.length > 0) throw invalid('invalid-hospitals', `${problems.length} problem(s); nothing stored`, problems);
    if (hospitals.length === 0) throw invalid('invalid-hospitals', 'no hospitals given');
    return this.store.upsert(hospitals, actor, await this.codeTables.seedFor(actor));
  }

  /** The problems of hospitals that an actor of `region` may not write: of another region, given or stored. */
  private async outsideRegion(hospitals: Hospital[], region: string, lineOf: Map<string, number>): Promise<Problem[]> {
    const out: Problem[] = [];
    const stored = new Map((await this.store.list()).map((h) => [h.code, h.region]));
    for (const h of hospitals) {
      const line = lineOf.get(h.code);
      if (h.region !== region) out.push({ line, field: 'region', reason: `${h.region} is outside your region ${region}` });
      else if ((stored.get(h.code) ?? region) !== region) out.push({ line, field: 'code', reason: 'is registered in another region' });
    }
    return out;
  }

  /** Reads a hospital file through the byte gate: CSV (`code,name,region,level,bonuses`) or a JSON array. */
  async upsertFile(input: Readable, format: 'csv' | 'json', actor: string, region: string | null = null): Promise<HospitalUpsertResult> {
    const { text } = await readText(input, this.env.MAX_UPLOAD_BYTES);
    if (format === 'json') {
      const doc = parseJson(text, 'invalid-hospitals', 'the hospital file');
      if (!Array.isArray(doc)) throw invalid('invalid-hospitals', 'expected a JSON array of hospitals');
      return this.upsert(doc, actor, region);
    }
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy', transform: (v) => v.trim() });
    if (parsed.errors.length > 0)
      throw invalid(
        'invalid-hospitals',
        'the CSV cannot be read; nothing stored',
        parsed.errors.map((e) => ({ line: (e.row ?? 0) + 2, field: '*', reason: e.message })),
      );
    // Row numbers are file lines: the header is line 1.
    return this.upsert(parsed.data, actor, region, 2);
  }

  /** Refuses work on a region that no hospital registered (a typo would otherwise read as "no data"). */
  async requireRegion(region: string): Promise<void> {
    if (!(await this.store.regionExists(region)))
      throw notFound('unknown-region', `region ${region} is not registered; register its hospitals first`);
  }

  list(region?: string): Promise<Hospital[]> {
    return this.store.list(region);
  }

  get(code: string): Promise<Hospital | null> {
    return this.store.get(code);
  }
}
