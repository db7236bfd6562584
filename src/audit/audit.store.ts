import { DatabaseService, fromSqlDatetime, Statement, toSqlDatetime } from '../persistence/database.service';

export interface AuditEntry {
  at: Date;
  actor: string;
  /** `hospital.create`, `hospital.update`, `case.replace`, `codeTable.load`, … */
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/**
 * The audit row of a change, as a statement of the same unit of work as the change itself:
 * a change and its audit entry commit or roll back together.
 */
export function auditStatement(e: AuditEntry): Statement {
  return {
    sql: 'INSERT INTO audit_log (at, actor, action, entity, entity_id, before_state, after_state) VALUES (?, ?, ?, ?, ?, ?, ?)',
    params: [
      toSqlDatetime(e.at),
      e.actor,
      e.action,
      e.entity,
      e.entityId,
      e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
    ],
  };
}

/** One audit entry as read back. */
export interface AuditRecord {
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/** The audit entries of some entities of a kind, in the order they were written. */
export async function auditTrail(db: DatabaseService, entity: string, ids: readonly string[]): Promise<AuditRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.execute(
    `SELECT at, actor, action, entity, entity_id, before_state, after_state FROM audit_log WHERE entity = ? AND entity_id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
    [entity, ...ids],
  );
  return rows.map((r) => ({
    at: fromSqlDatetime(r.at),
    actor: String(r.actor),
    action: String(r.action),
    entity: String(r.entity),
    entityId: String(r.entity_id),
    before: r.before_state === null ? null : (JSON.parse(String(r.before_state)) as unknown),
    after: r.after_state === null ? null : (JSON.parse(String(r.after_state)) as unknown),
  }));
}
