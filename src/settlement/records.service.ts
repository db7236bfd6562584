import { Injectable } from '@nestjs/common';
import Papa from 'papaparse';
import { Readable } from 'node:stream';
import { Environment } from '../config/environment';
import { badRequest, invalid, Problem } from '../domain/errors';
import { RECORD_KINDS, RecordKind, SettlementRecord, validateRecord } from '../domain/settlement/records';
import { readText } from '../io/text-input';
import { HospitalsService } from '../hospitals/hospitals.service';
import { RecordsStore } from './records.store';

/**
 * The agency's records for the annual settlement (spec §8.1, §8.4). A batch is checked whole
 * (every problem with its row and field, 422) and stored in one transaction, each record audited.
 */
@Injectable()
export class RecordsService {
  constructor(
    private readonly store: RecordsStore,
    private readonly hospitals: HospitalsService,
    private readonly env: Environment,
  ) {}

  /**
   * Records given as objects (a JSON array); rows are numbered from `rowBase`. `region`: the one
   * region the actor may record for (an agency user's); null: any (the CLI's operator).
   */
  async record(
    kind: string,
    rows: readonly unknown[],
    actor: string,
    region: string | null = null,
    rowBase = 0,
  ): Promise<{ kind: RecordKind; recorded: number }> {
    if (!(RECORD_KINDS as readonly string[]).includes(kind)) throw badRequest('bad-kind', `kind must be one of ${RECORD_KINDS.join(', ')}`);
    const k = kind as RecordKind;
    const problems: Problem[] = [];
    const records: SettlementRecord[] = [];
    const regionOf = new Map((await this.hospitals.list()).map((h) => [h.code, h.region]));
    // A hospital of another region is answered as unregistered: the agency user's scope is their region.
    const known = (code: string) => regionOf.has(code) && (region === null || regionOf.get(code) === region);
    rows.forEach((raw, i) => {
      const row = rowBase + i;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        problems.push({ row, field: '*', reason: 'must be an object with the record fields' });
        return;
      }
      const v = validateRecord(k, raw as Record<string, unknown>);
      if ('errors' in v) for (const e of v.errors) problems.push({ row, ...e });
      else if ('hospitalCode' in v.record && !known(v.record.hospitalCode))
        problems.push({ row, field: 'hospitalCode', reason: `hospital "${v.record.hospitalCode}" is not registered` });
      else if ('region' in v.record && region !== null && v.record.region !== region)
        problems.push({ row, field: 'region', reason: `${v.record.region} is outside your region ${region}` });
      else records.push(v.record);
    });
    if (rows.length === 0) problems.push({ row: rowBase, field: '*', reason: 'no records' });
    if (problems.length > 0) throw invalid('invalid-records', `${problems.length} problem(s); nothing recorded`, problems);
    await this.store.save(k, records, actor);
    return { kind: k, recorded: records.length };
  }

  /** Records from a CSV file (header = field names), read through the byte gate; rows are file lines. */
  async recordCsv(
    kind: string,
    input: Readable,
    actor: string,
    region: string | null = null,
  ): Promise<{ kind: RecordKind; recorded: number }> {
    const { text } = await readText(input, this.env.MAX_UPLOAD_BYTES);
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    if (parsed.errors.length > 0) throw badRequest('bad-csv', `line ${(parsed.errors[0].row ?? 0) + 2}: ${parsed.errors[0].message}`);
    return this.record(kind, parsed.data, actor, region, 2);
  }
}
