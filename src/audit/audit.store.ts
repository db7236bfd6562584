import { Statement, toSqlDatetime } from '../persistence/database.service';

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
