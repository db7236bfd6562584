import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { auditTrail, AuditRecord } from '../audit/audit.store';
import { UsersService } from '../auth/users.service';
import { CatalogueStore } from '../catalogue/catalogue.store';
import { actorOf, Principal, requireAgencyOf } from '../domain/access';
import { invalid, notFound } from '../domain/errors';
import {
  ApprovedDecision,
  checkPanel,
  checkReason,
  DEFAULT_DECISION_DAYS,
  ExpertLoad,
  pointsOfCost,
  SpecialReason,
  SpecialStatus,
  suggestPanel,
} from '../domain/special-case';
import { GroupingService } from '../grouping/grouping.service';
import { DatabaseService, Statement, StatementResult } from '../persistence/database.service';
import { PoliciesService } from '../policies/policies.service';
import { Application, CaseFactsRecord, PanelSeat, SpecialCasesStore } from './special-cases.store';

export type { Application } from './special-cases.store';

const DAY_MS = 86_400_000;

/** An application as its reader may see it: the agency sees who sat on each panel; the hospital sees votes, not voters. */
export interface ApplicationView extends Application {
  panels: {
    round: number;
    dueAt: string;
    overdue: boolean;
    votes: {
      expert?: { id: string; username: string };
      vote: string | null;
      points: string | null;
      cost: string | null;
      reason: string | null;
      votedAt: string | null;
    }[];
  }[];
}

/**
 * Special cases (spec §9, issue 13): hospitals apply for their own cases, the agency seats
 * panels, experts vote through the admin routes, the annual settlement applies the approved
 * decisions. Scope: an agency user acts in its region, a hospital on its own applications, an
 * expert on the applications whose panels they sit on; anything else answers as unknown.
 */
@Injectable()
export class SpecialCasesService {
  private readonly logger = new Logger(SpecialCasesService.name);

  constructor(
    private readonly store: SpecialCasesStore,
    private readonly grouping: GroupingService,
    private readonly policies: PoliciesService,
    private readonly users: UsersService,
    private readonly catalogues: CatalogueStore,
    private readonly db: DatabaseService,
  ) {}

  /** A hospital applies for a case of its own; the objective reasons are checked against the case's newest stored result. */
  async apply(
    p: Principal,
    body: { caseId: string; reason: SpecialReason; statement: string; evidence: string[] },
  ): Promise<ApplicationView> {
    const c = await this.store.caseOf(p.region, body.caseId);
    if (!c || c.hospitalCode !== p.hospital) throw notFound('unknown-case', `your hospital has no stored case ${body.caseId}`);
    const latest = await this.grouping.latestResult(p.region, body.caseId);
    if (!latest)
      throw invalid(
        'no-result',
        `case ${body.caseId} has no stored result yet: it is valued by its month's settlement run (or a grouping run); apply after that`,
      );
    const { policy } = await this.policies.resolve(p.region, c.year, actorOf(p));
    const r = latest.result;
    const facts: CaseFactsRecord = {
      groupingRun: latest.runId,
      catalogueId: latest.catalogueId,
      groupCode: r.group,
      kind: r.kind,
      rule: r.rule,
      outlier: r.outlier,
      ratio: r.ratio,
      points: r.points,
      losDays: c.losDays,
      newTechnology: c.newTechnology,
      eligibleForSpecialReview: r.specialReview,
    };
    checkReason(body.reason, facts, { extremeRatio: policy.scoring.extremeRatio, longStayDays: policy.specialCases.longStayDays });
    const discharges = await this.store.discharges(p.region, c.year, c.hospitalCode);
    await this.store.ensureYear(p.region, c.year);
    const app = await this.store.apply(
      {
        region: p.region,
        year: c.year,
        hospitalCode: c.hospitalCode,
        caseId: body.caseId,
        reason: body.reason,
        statement: body.statement,
        evidence: body.evidence,
        facts,
      },
      randomUUID(),
      discharges,
      policy.specialCases.cap,
      actorOf(p),
    );
    return this.view(app, p);
  }

  /** Applications in the caller's scope: the agency's region (optionally one hospital), or the hospital's own. */
  async list(
    p: Principal,
    q: { hospital?: string; year?: number; status?: SpecialStatus; overdue?: boolean; offset: number; limit: number },
  ): Promise<{ total: number; items: ApplicationView[] }> {
    const hospital = p.role === 'hospital' ? p.hospital! : q.hospital;
    const page = await this.store.list(
      { region: p.region, hospital, year: q.year, status: q.status, overdueAt: q.overdue ? new Date() : undefined },
      q.offset,
      q.limit,
    );
    const panels = await this.store.panels(page.items.map((a) => a.id));
    const experts = p.role === 'agency' ? await this.expertNames(p.region) : null;
    return { total: page.total, items: page.items.map((a) => this.viewOf(a, panels.get(a.id) ?? [], experts)) };
  }

  /** One application in the caller's scope (agency of its region, its hospital). */
  async get(p: Principal, id: string): Promise<ApplicationView> {
    return this.view(await this.inScope(p, id), p);
  }

  async withdraw(p: Principal, id: string): Promise<ApplicationView> {
    const app = await this.inScope(p, id);
    return this.view(await this.store.withdraw(app, actorOf(p)), p);
  }

  /** A rejected application appealed once, with a statement; it takes a place under the cap again. */
  async appeal(p: Principal, id: string, statement: string): Promise<ApplicationView> {
    const app = await this.inScope(p, id);
    const { policy } = await this.policies.resolve(app.region, app.year, actorOf(p));
    const discharges = await this.store.discharges(app.region, app.year, app.hospitalCode);
    return this.view(await this.store.appeal(app, statement, discharges, policy.specialCases.cap, actorOf(p)), p);
  }

  /** The panel the service would seat for the application's current round: least loaded, no conflicts. */
  async suggestion(p: Principal, id: string): Promise<ExpertLoad[]> {
    const app = await this.inScope(p, id);
    requireAgencyOf(p, app.region);
    const { policy } = await this.policies.resolve(app.region, app.year, actorOf(p));
    const { experts, excluded } = await this.candidates(app);
    return suggestPanel([...experts.values()], app.hospitalCode, excluded, policy.specialCases.panelSize);
  }

  /** Seats the agency's panel (or, when it names none, the suggestion) with the policy's deadline. */
  async assign(p: Principal, id: string, chosen: string[] | undefined): Promise<ApplicationView> {
    const app = await this.inScope(p, id);
    requireAgencyOf(p, app.region);
    const { policy } = await this.policies.resolve(app.region, app.year, actorOf(p));
    const size = policy.specialCases.panelSize;
    const { experts, excluded } = await this.candidates(app);
    let panel: string[];
    if (chosen === undefined) panel = suggestPanel([...experts.values()], app.hospitalCode, excluded, size).map((e) => e.userId);
    else {
      checkPanel(chosen, experts, app.hospitalCode, excluded, size);
      panel = chosen;
    }
    const due = new Date(Date.now() + (policy.specialCases.decisionDays ?? DEFAULT_DECISION_DAYS) * DAY_MS);
    return this.view(await this.store.assign(app, panel, due, actorOf(p)), p);
  }

  /** The audit entries of one application, or of every application of a hospital (agency of the region only). */
  async audit(p: Principal, q: { id?: string; hospital?: string; year?: number }): Promise<AuditRecord[]> {
    if (q.id !== undefined) {
      const app = await this.inScope(p, q.id);
      requireAgencyOf(p, app.region);
      return auditTrail(this.db, 'specialCase', [app.id]);
    }
    const ids: string[] = [];
    for (let offset = 0; ; offset += 5000) {
      const page = await this.store.list({ region: p.region, hospital: q.hospital, year: q.year }, offset, 5000);
      ids.push(...page.items.map((a) => a.id));
      if (ids.length >= page.total || page.items.length === 0) break;
    }
    return auditTrail(this.db, 'specialCase', ids);
  }

  // ------------------------------------------------------------------ the experts' routes

  /** The seats of the calling expert: each application with its state and their own vote. */
  async assignments(p: Principal) {
    const seats = await this.store.seatsOf(p.userId);
    return seats.map(({ seat, application: a }) => ({ ...this.forExpert(a), seat: ownSeat(seat, a) }));
  }

  /**
   * One application for an expert on its panel (any round): the reason, statements, evidence,
   * what the check read, the case's explanation from its newest stored result (group, rule,
   * factors, ratio), and their own seat. Never the patient pseudonym; never the other votes.
   */
  async forReview(p: Principal, id: string) {
    const { app, seats } = await this.seated(p, id);
    const latest = await this.grouping.latestResult(app.region, app.caseId);
    const explained = latest ? await this.grouping.explain(latest.runId, app.caseId) : null;
    return {
      ...this.forExpert(app),
      explanation: explained ? { groupingRun: latest!.runId, result: explained.result, valuation: explained.explanation } : null,
      seats: seats.map((s) => ownSeat(s, app)),
    };
  }

  /** An expert's vote: approve with points or with a cost (converted with the catalogue's cost per point), or reject; with a reason. */
  async vote(p: Principal, id: string, body: { decision: 'approve' | 'reject'; points?: string; cost?: string; reason: string }) {
    const { app } = await this.seated(p, id);
    const problems: { field: string; reason: string }[] = [];
    if (body.decision === 'approve' && (body.points === undefined) === (body.cost === undefined))
      problems.push({ field: 'points', reason: 'an approval gives either points or a cost, not both, not neither' });
    if (body.decision === 'reject' && (body.points !== undefined || body.cost !== undefined))
      problems.push({ field: 'decision', reason: 'a rejection gives no points and no cost' });
    if (problems.length > 0) throw invalid('bad-vote', 'the vote cannot be taken', problems);
    let points = body.points ?? null;
    let costPerPoint: string | null = null;
    if (body.cost !== undefined) {
      costPerPoint = (await this.catalogues.figures(app.facts.catalogueId)).costPerPoint;
      points = pointsOfCost(body.cost, costPerPoint);
    }
    const { policy } = await this.policies.resolve(app.region, app.year, actorOf(p));
    const { application, outcome } = await this.store.vote(
      app,
      p.userId,
      { decision: body.decision, points, cost: body.cost ?? null, costPerPoint, reason: body.reason },
      policy.specialCases.panelSize,
      actorOf(p),
    );
    return {
      ...this.forExpert(application),
      vote: { decision: body.decision, points, cost: body.cost ?? null, costPerPoint },
      decided: outcome.status !== 'pending',
    };
  }

  // ------------------------------------------------------------------ the annual settlement

  /**
   * The year's approved decisions as the annual run applies them, each with this run's own
   * points of its case; a decision whose case the run did not value (its case was moved to
   * another year since) is left out and named.
   */
  async approvedForRun(region: string, year: number, groupingRunId: string) {
    await this.store.ensureYear(region, year);
    const { revision, decisions } = await this.store.approved(region, year);
    const applied: ApprovedDecision[] = [];
    const missing: string[] = [];
    const results = await this.grouping.resultsOf(
      groupingRunId,
      decisions.map((d) => d.caseId),
    );
    for (const d of decisions) {
      const r = results.get(d.caseId);
      if (!r) missing.push(d.caseId);
      else applied.push({ caseId: d.caseId, hospitalCode: r.hospitalCode, pool: d.pool, rulePoints: r.points, approvedPoints: d.points });
    }
    if (missing.length > 0) this.logger.warn(`${missing.length} approved special case(s) of ${region} ${year} are not in the year's run`);
    return { revision, applied, missing };
  }

  /** The statements that lock a year's decisions inside the annual finalise (see SpecialCasesStore.lockForFinalise). */
  lockForFinalise(region: string, year: number, revision: number, actor: string, at: Date): Generator<Statement, void, StatementResult> {
    return this.store.lockForFinalise(region, year, revision, actor, at);
  }

  ensureYear(region: string, year: number): Promise<void> {
    return this.store.ensureYear(region, year);
  }

  // ------------------------------------------------------------------ helpers

  /** The application if the caller may see it (agency of its region, its own hospital); else unknown. */
  private async inScope(p: Principal, id: string): Promise<Application> {
    const app = await this.store.get(id);
    const sees = app && (p.role === 'agency' ? p.region === app.region : p.role === 'hospital' && p.hospital === app.hospitalCode);
    if (!app || !sees) throw notFound('unknown-special-case', `no special case ${id}`);
    return app;
  }

  /** The application and the caller's seats on its panels; unknown to an expert who sits on none. */
  private async seated(p: Principal, id: string): Promise<{ app: Application; seats: PanelSeat[] }> {
    const app = await this.store.get(id);
    const seats = app ? ((await this.store.panels([id])).get(id) ?? []).filter((s) => s.expertId === p.userId) : [];
    if (!app || seats.length === 0) throw notFound('unknown-special-case', `no special case ${id} is assigned to you`);
    return { app, seats };
  }

  /** The region's experts with their open seats, and those excluded from this round (earlier voters). */
  private async candidates(app: Application): Promise<{ experts: Map<string, ExpertLoad>; excluded: Set<string> }> {
    const [users, open, panels] = await Promise.all([
      this.users.experts(app.region),
      this.store.openSeats(app.region),
      this.store.panels([app.id]),
    ]);
    const experts = new Map(
      users.map((u) => [u.id, { userId: u.id, username: u.username, hospital: u.hospital!, open: open.get(u.id) ?? 0 }]),
    );
    const excluded = new Set((panels.get(app.id) ?? []).filter((s) => s.round < app.round && s.vote !== null).map((s) => s.expertId));
    return { experts, excluded };
  }

  private async expertNames(region: string): Promise<Map<string, string>> {
    return new Map((await this.users.experts(region, { inactiveToo: true })).map((u) => [u.id, u.username]));
  }

  private async view(app: Application, p: Principal): Promise<ApplicationView> {
    const panels = (await this.store.panels([app.id])).get(app.id) ?? [];
    return this.viewOf(app, panels, p.role === 'agency' ? await this.expertNames(app.region) : null);
  }

  private viewOf(app: Application, seats: readonly PanelSeat[], experts: Map<string, string> | null): ApplicationView {
    const now = Date.now();
    const rounds = [...new Set(seats.map((s) => s.round))].sort();
    return {
      ...app,
      panels: rounds.map((round) => {
        const of = seats.filter((s) => s.round === round);
        const complete = of.every((s) => s.vote !== null);
        return {
          round,
          dueAt: of[0].dueAt,
          overdue: !complete && app.status === 'pending' && app.round === round && Date.parse(of[0].dueAt) < now,
          votes: of.map((s) => ({
            ...(experts ? { expert: { id: s.expertId, username: experts.get(s.expertId) ?? s.expertId } } : {}),
            vote: s.vote,
            points: s.points,
            cost: s.cost,
            reason: s.reason,
            votedAt: s.votedAt,
          })),
        };
      }),
    };
  }

  /** What an expert reads of an application: no applicant's user name, no other votes. */
  private forExpert(a: Application) {
    return {
      id: a.id,
      year: a.year,
      hospitalCode: a.hospitalCode,
      caseId: a.caseId,
      reason: a.reason,
      statement: a.statement,
      evidence: a.evidence,
      appealStatement: a.appealStatement,
      facts: a.facts,
      status: a.status,
      round: a.round,
      approvedPoints: a.approvedPoints,
      decidedAt: a.decidedAt,
    };
  }
}

/** An expert's own seat. */
function ownSeat(s: PanelSeat, a: Application) {
  return {
    round: s.round,
    current: s.round === a.round && a.status === 'pending',
    assignedAt: s.assignedAt,
    dueAt: s.dueAt,
    vote: s.vote,
    points: s.points,
    cost: s.cost,
    costPerPoint: s.costPerPoint,
    reason: s.reason,
    votedAt: s.votedAt,
  };
}
