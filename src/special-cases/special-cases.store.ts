import { Injectable } from '@nestjs/common';
import { AuditEntry, auditStatement } from '../audit/audit.store';
import { conflict } from '../domain/errors';
import { checkCap, MAX_ROUND, Outcome, panelOutcome, SpecialReason, SpecialStatus, Vote } from '../domain/special-case';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';

/** What an application's objective check read from the case's latest stored result (never the patient pseudonym). */
export interface CaseFactsRecord {
  groupingRun: string;
  catalogueId: string;
  groupCode: string | null;
  kind: string | null;
  rule: string;
  outlier: string;
  ratio: string | null;
  points: string;
  losDays: number;
  newTechnology: boolean;
  eligibleForSpecialReview: boolean;
}

export interface Application {
  id: string;
  region: string;
  year: number;
  hospitalCode: string;
  caseId: string;
  reason: SpecialReason;
  statement: string;
  evidence: string[];
  facts: CaseFactsRecord;
  status: SpecialStatus;
  round: number;
  appealStatement: string | null;
  approvedPoints: string | null;
  appliedBy: string;
  appliedAt: string;
  decidedAt: string | null;
}

export interface PanelSeat {
  applicationId: string;
  round: number;
  expertId: string;
  assignedBy: string;
  assignedAt: string;
  dueAt: string;
  vote: 'approve' | 'reject' | null;
  points: string | null;
  cost: string | null;
  costPerPoint: string | null;
  reason: string | null;
  votedAt: string | null;
}

export interface NewApplication {
  region: string;
  year: number;
  hospitalCode: string;
  caseId: string;
  reason: SpecialReason;
  statement: string;
  evidence: string[];
  facts: CaseFactsRecord;
}

export interface CastVote {
  decision: 'approve' | 'reject';
  points: string | null;
  cost: string | null;
  costPerPoint: string | null;
  reason: string;
}

export interface ListFilter {
  region: string;
  hospital?: string;
  year?: number;
  status?: SpecialStatus;
  /** Pending applications whose current panel is past its deadline. */
  overdueAt?: Date;
}

const APPLICATION_COLUMNS =
  'id, region_code, year, hospital_code, case_id, reason, statement, evidence, facts, status, round, appeal_statement, approved_points, applied_by, applied_at, decided_at';

const applicationOf = (r: Record<string, unknown>): Application => ({
  id: String(r.id),
  region: String(r.region_code),
  year: Number(r.year),
  hospitalCode: String(r.hospital_code),
  caseId: String(r.case_id),
  reason: r.reason as SpecialReason,
  statement: String(r.statement),
  evidence: JSON.parse(String(r.evidence)) as string[],
  facts: JSON.parse(String(r.facts)) as CaseFactsRecord,
  status: r.status as SpecialStatus,
  round: Number(r.round),
  appealStatement: r.appeal_statement === null ? null : String(r.appeal_statement),
  approvedPoints: r.approved_points === null ? null : String(r.approved_points),
  appliedBy: String(r.applied_by),
  appliedAt: fromSqlDatetime(r.applied_at),
  decidedAt: r.decided_at === null ? null : fromSqlDatetime(r.decided_at),
});

const seatOf = (r: Record<string, unknown>): PanelSeat => ({
  applicationId: String(r.application_id),
  round: Number(r.round),
  expertId: String(r.expert_id),
  assignedBy: String(r.assigned_by),
  assignedAt: fromSqlDatetime(r.assigned_at),
  dueAt: fromSqlDatetime(r.due_at),
  vote: r.vote === null ? null : (r.vote as 'approve' | 'reject'),
  points: r.points === null ? null : String(r.points),
  cost: r.cost === null ? null : String(r.cost),
  costPerPoint: r.cost_per_point === null ? null : String(r.cost_per_point),
  reason: r.reason === null ? null : String(r.reason),
  votedAt: r.voted_at === null ? null : fromSqlDatetime(r.voted_at),
});

/** The audit entry's picture of an application: its state, never the statement's full text or any patient data. */
const stateOf = (a: Pick<Application, 'status' | 'round' | 'approvedPoints'>) => ({
  status: a.status,
  round: a.round,
  approvedPoints: a.approvedPoints,
});

type Work<T> = Generator<Statement, T, StatementResult>;

/**
 * Applications, panels and votes (spec §9). Every change is one transaction that first locks
 * its region-year row (`special_case_year`): so that two applications racing for a hospital's
 * last place are serialised (the second counts the first), and so that nothing changes after
 * the year's annual settlement was finalised (`locked_at`), which takes the same row. On MySQL
 * the lock is the transaction's first read (FOR UPDATE), so its later plain reads see every
 * change committed before it; SQLite's BEGIN IMMEDIATE serialises writers by itself.
 */
@Injectable()
export class SpecialCasesStore {
  constructor(private readonly db: DatabaseService) {}

  private get forUpdate(): string {
    return this.db.engine === 'mysql' ? ' FOR UPDATE' : '';
  }

  /**
   * Makes the year's row, outside any transaction: an INSERT IGNORE inside one would take a
   * shared lock that two racing transactions would then both try to upgrade (a deadlock).
   */
  async ensureYear(region: string, year: number): Promise<void> {
    const insert = this.db.engine === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.db.execute(`${insert} INTO special_case_year (region_code, year, revision) VALUES (?, ?, 0)`, [region, year]);
  }

  /** Locks the year's row; refused when the year's decisions are locked. */
  private *lockYear(region: string, year: number): Work<{ revision: number }> {
    const row = (yield {
      sql: `SELECT revision, locked_at FROM special_case_year WHERE region_code = ? AND year = ?${this.forUpdate}`,
      params: [region, year],
    }).rows[0];
    if (!row) throw new Error(`special_case_year ${region}/${year} is missing: ensureYear first`);
    if (row.locked_at !== null)
      throw conflict(
        'special-cases-locked',
        `the special cases of ${region} ${year} are locked: the year's annual settlement was finalised at ${fromSqlDatetime(row.locked_at)}`,
      );
    return { revision: Number(row.revision) };
  }

  private *applicationFor(id: string): Work<Application> {
    const row = (yield { sql: `SELECT ${APPLICATION_COLUMNS} FROM special_case WHERE id = ?`, params: [id] }).rows[0];
    if (!row) throw new Error(`special case ${id} vanished inside its transaction`);
    return applicationOf(row);
  }

  async get(id: string): Promise<Application | null> {
    const row = (await this.db.execute(`SELECT ${APPLICATION_COLUMNS} FROM special_case WHERE id = ?`, [id])).rows[0];
    return row ? applicationOf(row) : null;
  }

  async list(f: ListFilter, offset: number, limit: number): Promise<{ total: number; items: Application[] }> {
    const where = ['a.region_code = ?'];
    const params: (string | number | Date)[] = [f.region];
    const filter = (cond: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(cond);
      params.push(value);
    };
    filter('a.hospital_code = ?', f.hospital);
    filter('a.year = ?', f.year);
    filter('a.status = ?', f.status);
    if (f.overdueAt !== undefined) {
      where.push(
        `a.status = 'pending' AND EXISTS (SELECT 1 FROM special_case_panel p WHERE p.application_id = a.id AND p.round = a.round AND p.due_at < ?)`,
      );
      params.push(f.overdueAt);
    }
    const cond = where.join(' AND ');
    const total = Number((await this.db.execute(`SELECT COUNT(*) AS n FROM special_case a WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await this.db.execute(
      `SELECT ${APPLICATION_COLUMNS.split(', ')
        .map((c) => `a.${c}`)
        .join(', ')} FROM special_case a WHERE ${cond} ORDER BY a.applied_at, a.id LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    return { total, items: rows.map(applicationOf) };
  }

  /** The panels of applications (every round), by application id. */
  async panels(ids: readonly string[]): Promise<Map<string, PanelSeat[]>> {
    const out = new Map<string, PanelSeat[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const { rows } = await this.db.execute(
      `SELECT * FROM special_case_panel WHERE application_id IN (${ids.map(() => '?').join(',')}) ORDER BY round, assigned_at, expert_id`,
      [...ids],
    );
    for (const r of rows.map(seatOf)) out.get(r.applicationId)!.push(r);
    return out;
  }

  /** The seats of an expert, newest first, with their applications. */
  async seatsOf(expertId: string): Promise<{ seat: PanelSeat; application: Application }[]> {
    const { rows } = await this.db.execute(
      `SELECT p.*, ${APPLICATION_COLUMNS.split(', ')
        .map((c) => `a.${c} AS a_${c}`)
        .join(
          ', ',
        )} FROM special_case_panel p JOIN special_case a ON a.id = p.application_id WHERE p.expert_id = ? ORDER BY p.assigned_at DESC, p.application_id`,
      [expertId],
    );
    return rows.map((r) => ({
      seat: seatOf(r),
      application: applicationOf(Object.fromEntries(APPLICATION_COLUMNS.split(', ').map((c) => [c, r[`a_${c}`]]))),
    }));
  }

  /** Undecided seats per expert (the load a panel suggestion spreads). */
  async openSeats(region: string): Promise<Map<string, number>> {
    const { rows } = await this.db.execute(
      `SELECT p.expert_id, COUNT(*) AS n FROM special_case_panel p JOIN special_case a ON a.id = p.application_id AND a.round = p.round
       WHERE a.region_code = ? AND a.status = 'pending' AND p.vote IS NULL GROUP BY p.expert_id`,
      [region],
    );
    return new Map(rows.map((r) => [String(r.expert_id), Number(r.n)]));
  }

  /** A hospital's discharges of a year (its stored cases settled in the year): the base of the cap. */
  async discharges(region: string, year: number, hospital: string): Promise<number> {
    const { rows } = await this.db.execute(
      'SELECT COUNT(*) AS n FROM dip_case WHERE region_code = ? AND settlement_month BETWEEN ? AND ? AND hospital_code = ?',
      [region, `${year}-01`, `${year}-12`, hospital],
    );
    return Number(rows[0].n);
  }

  /** The stored case an application is about (no patient pseudonym read). */
  async caseOf(region: string, caseId: string) {
    const row = (
      await this.db.execute(
        'SELECT hospital_code, settlement_month, pool, los_days, new_technology FROM dip_case WHERE region_code = ? AND case_id = ?',
        [region, caseId],
      )
    ).rows[0];
    return row
      ? {
          hospitalCode: String(row.hospital_code),
          year: Number(String(row.settlement_month).slice(0, 4)),
          pool: String(row.pool),
          losDays: Number(row.los_days),
          newTechnology: Number(row.new_technology) === 1 || row.new_technology === true,
        }
      : null;
  }

  /**
   * Stores an application (audited) after the checks that need the lock: no open application
   * for the case, and the hospital's cap (pending + approved of the year) not reached.
   */
  apply(a: NewApplication, id: string, discharges: number, cap: string, actor: string): Promise<Application> {
    return this.db.transaction(() => this.applyWork(a, id, discharges, cap, actor));
  }

  private *applyWork(a: NewApplication, id: string, discharges: number, cap: string, actor: string): Work<Application> {
    yield* this.lockYear(a.region, a.year);
    const open = (yield {
      sql: `SELECT id, status FROM special_case WHERE region_code = ? AND case_id = ? AND status <> 'withdrawn'`,
      params: [a.region, a.caseId],
    }).rows[0];
    if (open)
      throw conflict(
        'already-applied',
        `case ${a.caseId} already has a special-case application (${String(open.id)}, ${String(open.status)}); withdraw it or appeal its decision`,
      );
    yield* this.checkCapWithin(a.region, a.year, a.hospitalCode, discharges, cap);
    const at = new Date();
    yield {
      sql: `INSERT INTO special_case (${APPLICATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, NULL, NULL, ?, ?, NULL)`,
      params: [
        id,
        a.region,
        a.year,
        a.hospitalCode,
        a.caseId,
        a.reason,
        a.statement,
        JSON.stringify(a.evidence),
        JSON.stringify(a.facts),
        actor,
        at,
      ],
    };
    yield auditStatement({
      at,
      actor,
      action: 'specialCase.apply',
      entity: 'specialCase',
      entityId: id,
      before: null,
      after: { hospitalCode: a.hospitalCode, caseId: a.caseId, year: a.year, reason: a.reason, status: 'pending', round: 1 },
    });
    return yield* this.applicationFor(id);
  }

  private *checkCapWithin(region: string, year: number, hospital: string, discharges: number, cap: string): Work<void> {
    const taken = Number(
      (yield {
        sql: `SELECT COUNT(*) AS n FROM special_case WHERE region_code = ? AND year = ? AND hospital_code = ? AND status IN ('pending', 'approved')`,
        params: [region, year, hospital],
      }).rows[0].n,
    );
    checkCap(hospital, year, discharges, cap, taken);
  }

  /** Withdraws a pending application (audited). */
  withdraw(app: Application, actor: string): Promise<Application> {
    return this.change(app, actor, 'specialCase.withdraw', function* (cur) {
      if (cur.status !== 'pending')
        throw conflict('not-pending', `special case ${cur.id} is ${cur.status}; only a pending one may be withdrawn`);
      yield { sql: `UPDATE special_case SET status = 'withdrawn', decided_at = ? WHERE id = ?`, params: [new Date(), cur.id] };
    });
  }

  /**
   * Appeals a rejection of the first round (audited): the application is pending again, in round
   * 2, and takes a place under the cap again.
   */
  appeal(app: Application, statement: string, discharges: number, cap: string, actor: string): Promise<Application> {
    const checkCap = (cur: Application) => this.checkCapWithin(cur.region, cur.year, cur.hospitalCode, discharges, cap);
    return this.change(app, actor, 'specialCase.appeal', function* (cur) {
      if (cur.status !== 'rejected')
        throw conflict('not-rejected', `special case ${cur.id} is ${cur.status}; only a rejected application may be appealed`);
      if (cur.round >= MAX_ROUND)
        throw conflict('appealed-before', `special case ${cur.id} was appealed before; a decision may be appealed once`);
      yield* checkCap(cur);
      yield {
        sql: `UPDATE special_case SET status = 'pending', round = ?, appeal_statement = ?, decided_at = NULL WHERE id = ?`,
        params: [cur.round + 1, statement, cur.id],
      };
    });
  }

  /** Seats a panel for the application's current round (audited); refused when it has one. */
  assign(app: Application, experts: readonly string[], dueAt: Date, actor: string): Promise<Application> {
    return this.change(app, actor, 'specialCase.assign', function* (cur) {
      if (cur.status !== 'pending') throw conflict('not-pending', `special case ${cur.id} is ${cur.status}; a panel judges a pending one`);
      const seated = (yield {
        sql: 'SELECT COUNT(*) AS n FROM special_case_panel WHERE application_id = ? AND round = ?',
        params: [cur.id, cur.round],
      }).rows[0].n;
      if (Number(seated) > 0) throw conflict('panel-assigned', `special case ${cur.id} already has its round ${cur.round} panel`);
      const at = new Date();
      for (const e of experts)
        yield {
          sql: 'INSERT INTO special_case_panel (application_id, round, expert_id, assigned_by, assigned_at, due_at) VALUES (?, ?, ?, ?, ?, ?)',
          params: [cur.id, cur.round, e, actor, at, dueAt],
        };
      return { panel: [...experts], dueAt: dueAt.toISOString() };
    });
  }

  /**
   * Records one expert's vote (audited) and, when the panel is complete, its decision (audited
   * as `specialCase.decide`; an approval counts a change of the year's approved set).
   */
  vote(
    app: Application,
    expertId: string,
    v: CastVote,
    panelSize: number,
    actor: string,
  ): Promise<{ application: Application; outcome: Outcome }> {
    const forUpdate = this.forUpdate;
    let outcome: Outcome = { status: 'pending' };
    const decided: AuditEntry[] = [];
    return this.change(
      app,
      actor,
      'specialCase.vote',
      function* (cur) {
        if (cur.status !== 'pending')
          throw conflict('not-pending', `special case ${cur.id} is ${cur.status}; votes are taken while it is pending`);
        const seat = (yield {
          sql: `SELECT vote FROM special_case_panel WHERE application_id = ? AND round = ? AND expert_id = ?${forUpdate}`,
          params: [cur.id, cur.round, expertId],
        }).rows[0];
        if (!seat) throw conflict('not-on-panel', `you are not on the round ${cur.round} panel of special case ${cur.id}`);
        if (seat.vote !== null)
          throw conflict('voted', `you have voted on special case ${cur.id} in round ${cur.round}; a vote is cast once`);
        const at = new Date();
        yield {
          sql: 'UPDATE special_case_panel SET vote = ?, points = ?, cost = ?, cost_per_point = ?, reason = ?, voted_at = ? WHERE application_id = ? AND round = ? AND expert_id = ?',
          params: [v.decision, v.points, v.cost, v.costPerPoint, v.reason, at, cur.id, cur.round, expertId],
        };
        const votes: Vote[] = (yield {
          sql: 'SELECT vote, points FROM special_case_panel WHERE application_id = ? AND round = ? AND vote IS NOT NULL',
          params: [cur.id, cur.round],
        }).rows.map((r) => ({ decision: r.vote as 'approve' | 'reject', points: r.points === null ? null : String(r.points) }));
        outcome = panelOutcome(votes, panelSize);
        if (outcome.status === 'pending') return { vote: v.decision, points: v.points, cost: v.cost, reason: v.reason };
        const approved = outcome.status === 'approved' ? outcome.points : null;
        yield {
          sql: 'UPDATE special_case SET status = ?, approved_points = ?, decided_at = ? WHERE id = ?',
          params: [outcome.status, approved, at, cur.id],
        };
        if (approved !== null)
          yield {
            sql: 'UPDATE special_case_year SET revision = revision + 1 WHERE region_code = ? AND year = ?',
            params: [cur.region, cur.year],
          };
        decided.push({
          at,
          actor,
          action: 'specialCase.decide',
          entity: 'specialCase',
          entityId: cur.id,
          before: stateOf(cur),
          after: { status: outcome.status, round: cur.round, approvedPoints: approved, votes: votes.length },
        });
        return { vote: v.decision, points: v.points, cost: v.cost, reason: v.reason };
      },
      decided,
    ).then((application) => ({ application, outcome }));
  }

  /**
   * One audited change of an application: lock its year, read it again under the lock, apply
   * `step` (which may refuse), audit with the state before and after (and what `step` returns),
   * then the entries `step` left in `followUps` (a vote's decision comes after the vote).
   */
  private change(
    app: Application,
    actor: string,
    action: string,
    step: (cur: Application) => Work<Record<string, unknown> | void>,
    followUps: readonly AuditEntry[] = [],
  ): Promise<Application> {
    return this.db.transaction(() => this.changeWork(app, actor, action, step, followUps));
  }

  private *changeWork(
    app: Application,
    actor: string,
    action: string,
    step: (cur: Application) => Work<Record<string, unknown> | void>,
    followUps: readonly AuditEntry[],
  ): Work<Application> {
    yield* this.lockYear(app.region, app.year);
    const cur = yield* this.applicationFor(app.id);
    const detail = yield* step(cur);
    const after = yield* this.applicationFor(app.id);
    yield auditStatement({
      at: new Date(),
      actor,
      action,
      entity: 'specialCase',
      entityId: app.id,
      before: stateOf(cur),
      after: { ...stateOf(after), ...(detail ?? {}) },
    });
    for (const e of followUps) yield auditStatement(e);
    return after;
  }

  /** The approved decisions of a year and the revision of that set. */
  async approved(
    region: string,
    year: number,
  ): Promise<{ revision: number; decisions: { caseId: string; pool: string; points: string }[] }> {
    const y = (await this.db.execute('SELECT revision FROM special_case_year WHERE region_code = ? AND year = ?', [region, year])).rows[0];
    const { rows } = await this.db.execute(
      `SELECT s.case_id, c.pool, s.approved_points FROM special_case s JOIN dip_case c ON c.region_code = s.region_code AND c.case_id = s.case_id
       WHERE s.region_code = ? AND s.year = ? AND s.status = 'approved' ORDER BY s.case_id`,
      [region, year],
    );
    return {
      revision: y ? Number(y.revision) : 0,
      decisions: rows.map((r) => ({ caseId: String(r.case_id), pool: String(r.pool), points: String(r.approved_points) })),
    };
  }

  /**
   * Statements for the finalise of a year's annual settlement: refused when the approved set
   * changed since the draft (`revision`) or applications are still pending; else the year's
   * decisions are locked (audited).
   */
  *lockForFinalise(region: string, year: number, draftRevision: number, actor: string, at: Date): Work<void> {
    const { revision } = yield* this.lockYear(region, year);
    if (revision !== draftRevision)
      throw conflict(
        'special-cases-changed',
        `special-case decisions of ${region} ${year} changed since this draft was run (revision ${draftRevision}, now ${revision}); run the year again`,
      );
    const pending = (yield {
      sql: `SELECT id FROM special_case WHERE region_code = ? AND year = ? AND status = 'pending' ORDER BY applied_at LIMIT 11`,
      params: [region, year],
    }).rows.map((r) => String(r.id));
    if (pending.length > 0)
      throw conflict(
        'special-cases-pending',
        `${pending.length > 10 ? 'more than 10' : pending.length} special-case application(s) of ${region} ${year} are pending (${pending.slice(0, 10).join(', ')}); have their panels decide, or the hospitals withdraw them, before the year is finalised`,
      );
    yield {
      sql: 'UPDATE special_case_year SET locked_at = ?, locked_by = ? WHERE region_code = ? AND year = ?',
      params: [at, actor, region, year],
    };
    yield auditStatement({
      at,
      actor,
      action: 'specialCase.lock',
      entity: 'specialCaseYear',
      entityId: `${region}/${year}`,
      before: { locked: false, revision },
      after: { locked: true, revision },
    });
  }
}
