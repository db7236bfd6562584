import { caseRecordOfRow, CASE_COLUMNS } from './case-columns';
import { Rollback, Statement, StatementResult, toSqlDatetime } from '../persistence/database.service';
import { auditStatement } from '../audit/audit';

export interface MergeRejection {
  line: number;
  caseId: string | null;
  field: string;
  reason: string;
}

export interface MergeOutcome {
  inserted: number;
  replaced: number;
  skipped: number;
  rejections: MergeRejection[];
  /** Atomic mode with a rejection: nothing was stored, and `rejections` are not yet recorded. */
  rolledBack: boolean;
}

const PAGE = 500;
const STAGING = CASE_COLUMNS.join(',');

/**
 * Moves one batch from staging into `dip_case` as a single transaction, under the case-merge
 * lock so that two imports of the same cases never both insert them. Decides, per caseId:
 * repeated in the file (identical → skipped, different → rejected), already stored with the
 * same content (skipped), already stored with other content (rejected, or replaced and audited
 * when `replace`), new (inserted). In atomic mode any rejection rolls everything back.
 */
export function mergeBatch(batchId: string, opts: { replace: boolean; atomic: boolean; actor: string; earlierRejections: number }) {
  return function* (): Generator<Statement, MergeOutcome, StatementResult> {
    yield { lock: 'case-merge' };
    const out: MergeOutcome = { inserted: 0, replaced: 0, skipped: 0, rejections: [], rolledBack: false };

    // 1. The same caseId twice in one file: the first line stands.
    const dupIds = (yield { sql: 'SELECT case_id FROM case_staging WHERE batch_id = ? GROUP BY region_code, case_id HAVING COUNT(*) > 1', params: [batchId] }).rows.map((r) => String(r.case_id));
    for (let i = 0; i < dupIds.length; i += PAGE) {
      const ids = dupIds.slice(i, i + PAGE);
      const rows = (yield {
        sql: `SELECT line, region_code, case_id, content_hash FROM case_staging WHERE batch_id = ? AND case_id IN (${ids.map(() => '?').join(',')}) ORDER BY region_code, case_id, line`,
        params: [batchId, ...ids],
      }).rows;
      const first = new Map<string, { line: number; hash: string }>();
      const drop: number[] = [];
      for (const r of rows) {
        const key = `${r.region_code}\u0000${r.case_id}`;
        const f = first.get(key);
        if (!f) {
          first.set(key, { line: Number(r.line), hash: String(r.content_hash) });
          continue;
        }
        drop.push(Number(r.line));
        if (f.hash === r.content_hash) out.skipped++;
        else out.rejections.push({ line: Number(r.line), caseId: String(r.case_id), field: 'caseId', reason: `repeats line ${f.line} of this file with different content` });
      }
      yield { sql: `DELETE FROM case_staging WHERE batch_id = ? AND line IN (${drop.map(() => '?').join(',')})`, params: [batchId, ...drop] };
    }

    // 2. Already stored, identical: a no-op.
    out.skipped += (yield {
      sql: `DELETE FROM case_staging WHERE batch_id = ? AND EXISTS (SELECT 1 FROM dip_case c WHERE c.region_code = case_staging.region_code AND c.case_id = case_staging.case_id AND c.content_hash = case_staging.content_hash)`,
      params: [batchId],
    }).affected;

    // 3. Already stored with other content: rejected, or replaced with an audit entry.
    for (;;) {
      const conflicts = (yield {
        sql: `SELECT s.line, c.id AS existing_id, ${CASE_COLUMNS.map((col) => `c.${col}`).join(', ')} FROM case_staging s JOIN dip_case c ON c.region_code = s.region_code AND c.case_id = s.case_id WHERE s.batch_id = ? ORDER BY s.line LIMIT ${PAGE}`,
        params: [batchId],
      }).rows;
      if (conflicts.length === 0) break;
      const lines = conflicts.map((r) => Number(r.line));
      if (opts.replace) {
        const after = (yield { sql: `SELECT line, ${STAGING} FROM case_staging WHERE batch_id = ? AND line IN (${lines.map(() => '?').join(',')})`, params: [batchId, ...lines] }).rows;
        const afterByLine = new Map(after.map((r) => [Number(r.line), r]));
        const at = new Date();
        for (const r of conflicts) {
          yield auditStatement({
            at,
            actor: opts.actor,
            action: 'case.replace',
            entity: 'case',
            entityId: `${r.region_code}/${r.case_id}`,
            before: redact(r),
            after: redact(afterByLine.get(Number(r.line))!),
          });
        }
        const ids = conflicts.map((r) => String(r.existing_id));
        yield { sql: `DELETE FROM dip_case WHERE id IN (${ids.map(() => '?').join(',')})`, params: ids };
        // The replacing rows stay in staging; with the old rows gone they no longer conflict.
        out.replaced += conflicts.length;
      } else {
        for (const r of conflicts) {
          out.rejections.push({ line: Number(r.line), caseId: String(r.case_id), field: 'caseId', reason: 'already stored with different content; import with replace to overwrite it' });
        }
        yield { sql: `DELETE FROM case_staging WHERE batch_id = ? AND line IN (${lines.map(() => '?').join(',')})`, params: [batchId, ...lines] };
      }
    }

    if (opts.atomic && out.rejections.length + opts.earlierRejections > 0) throw new Rollback({ ...out, inserted: 0, replaced: 0, skipped: 0, rolledBack: true });

    // 4. Everything left is new, or replaces what step 3 removed.
    const moved = (yield { sql: `INSERT INTO dip_case (${STAGING}, batch_id) SELECT ${STAGING}, batch_id FROM case_staging WHERE batch_id = ?`, params: [batchId] }).affected;
    out.inserted = moved - out.replaced;
    yield { sql: 'DELETE FROM case_staging WHERE batch_id = ?', params: [batchId] };
    for (let i = 0; i < out.rejections.length; i += PAGE) {
      const part = out.rejections.slice(i, i + PAGE);
      yield {
        sql: `INSERT INTO import_rejection (batch_id, line, case_id, field, reason) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        params: part.flatMap((r) => [batchId, r.line, r.caseId, r.field, r.reason]),
      };
    }
    yield {
      sql: `UPDATE import_batch SET status = 'committed', rows_inserted = ?, rows_replaced = ?, rows_skipped = ?, rows_rejected = ?, finished_at = ? WHERE id = ?`,
      params: [out.inserted, out.replaced, out.skipped, opts.earlierRejections + out.rejections.length, toSqlDatetime(new Date()), batchId],
    };
    return out;
  };
}

/** The audit keeps what a case said, except the patient's pseudonym (never copied around). */
function redact(row: Record<string, unknown>): Record<string, unknown> {
  const { patientId: _omit, ...rest } = caseRecordOfRow(row);
  return { ...rest, regionCode: row.region_code };
}
