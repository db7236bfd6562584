import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { auditStatement } from '../audit/audit.store';
import { Catalogue, CatalogueGroup, GroupFlag } from '../domain/catalogue/catalogue';
import { levelAveragesOf, levelAveragesText } from '../domain/catalogue/exchange';
import { DipError, notFound } from '../domain/errors';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';

export interface CatalogueMeta {
  id: string;
  region: string;
  year: number;
  hash: string;
  policyHash: string | null;
  source: 'build' | 'import';
  coreGroups: number;
  compositeGroups: number;
  createdBy: string;
  createdAt: string;
  active: boolean;
  /** Imported without a content hash: nothing shows that the content is what was exported. */
  unverified: boolean;
  /** Who accepted the unverified catalogue for use (activation, runs), and when; null until then. */
  unverifiedAcceptedBy: string | null;
  unverifiedAcceptedAt: string | null;
}

/** Where a catalogue being stored comes from, whether it was verified, and whether an unverified one is accepted at once. */
export interface SaveMeta {
  source: 'build' | 'import';
  policyHash: string | null;
  actor: string;
  /** An import without a hash (a build is verified by being computed here). */
  unverified?: boolean;
  /** The explicit acceptance of an unverified import (audited). */
  acceptUnverified?: boolean;
}

export interface Saved {
  id: string;
  created: boolean;
  /** The stored version's state (a verified copy of the same content lifts it). */
  unverified: boolean;
  /** An unverified version accepted for use, now or before. */
  accepted: boolean;
}

const INSERT_CHUNK = 200;
const GROUP_COLUMNS =
  'catalogue_id, group_key, code, kind, category, treatment_type, procedures, cases, avg_cost, score, aux2, aux3, aux4, flags, level_avg_cost';

/**
 * Catalogue versions: immutable once stored; activation per region and year is audited. A
 * version imported without a hash is unverified: it is neither activated nor used by a run
 * until someone accepts it explicitly (audited, `catalogue.acceptUnverified`).
 */
@Injectable()
export class CatalogueStore {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Stores a catalogue in one transaction. The same content (hash) for the same region and
   * year is the same version: storing it again returns the existing id. Stored again verified
   * (a build, an import with its hash), an unverified version becomes verified (audited
   * `catalogue.verify`): its content is now known to be what was hashed. Stored again unverified
   * with `acceptUnverified`, it is accepted.
   */
  async save(c: Catalogue, hash: string, meta: SaveMeta): Promise<Saved> {
    const id = randomUUID();
    const unverified = meta.unverified === true;
    const accept = unverified && meta.acceptUnverified === true;
    return this.db.transaction(function* (): Generator<Statement, Saved, StatementResult> {
      const existing = (yield {
        sql: 'SELECT id, unverified, unverified_accepted_at FROM catalogue WHERE region_code = ? AND year = ? AND hash = ?',
        params: [c.region, c.year, hash],
      }).rows[0];
      const at = new Date();
      if (existing) {
        const known = String(existing.id);
        const accepted = existing.unverified_accepted_at !== null;
        if (!isTrue(existing.unverified)) return { id: known, created: false, unverified: false, accepted: false };
        if (!unverified) {
          const updated = yield {
            sql: 'UPDATE catalogue SET unverified = ? WHERE id = ? AND unverified = ?',
            params: [false, known, true],
          };
          if (updated.affected > 0)
            yield auditStatement({
              at,
              actor: meta.actor,
              action: 'catalogue.verify',
              entity: 'catalogue',
              entityId: known,
              before: { unverified: true },
              after: { unverified: false, by: meta.source, hash },
            });
          return { id: known, created: false, unverified: false, accepted };
        }
        if (accept && !accepted) yield* acceptStatements(known, meta.actor, at, 'import');
        return { id: known, created: false, unverified: true, accepted: accepted || accept };
      }
      const core = c.groups.filter((g) => g.kind === 'core').length;
      yield {
        sql: 'INSERT INTO catalogue (id, region_code, year, window_years, reference_type, reference_cost, cost_per_point, pv_budget, hash, policy_hash, source, core_groups, composite_groups, created_by, created_at, unverified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [
          id,
          c.region,
          c.year,
          c.window.join(','),
          c.reference.type,
          c.reference.cost,
          c.costPerPoint,
          c.pvBudget,
          hash,
          meta.policyHash,
          meta.source,
          core,
          c.groups.length - core,
          meta.actor,
          at,
          unverified,
        ],
      };
      for (let i = 0; i < c.groups.length; i += INSERT_CHUNK) {
        const part = c.groups.slice(i, i + INSERT_CHUNK);
        yield {
          sql: `INSERT INTO catalogue_group (${GROUP_COLUMNS}) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          params: part.flatMap((g) => [
            id,
            g.key,
            g.code,
            g.kind,
            g.category,
            g.treatmentType,
            g.procedures.join('+'),
            g.cases,
            g.avgCost,
            g.score,
            g.auxiliary['2'] ?? null,
            g.auxiliary['3'] ?? null,
            g.auxiliary['4'] ?? null,
            g.flags.join('|'),
            levelAveragesText(g.levelAvgCost) || null,
          ]),
        };
      }
      yield auditStatement({
        at,
        actor: meta.actor,
        action: `catalogue.${meta.source}`,
        entity: 'catalogue',
        entityId: id,
        before: null,
        after: { region: c.region, year: c.year, hash, policyHash: meta.policyHash, groups: c.groups.length, unverified },
      });
      if (accept) yield* acceptStatements(id, meta.actor, at, 'import');
      return { id, created: true, unverified, accepted: accept };
    });
  }

  async meta(id: string): Promise<CatalogueMeta> {
    const r = (
      await this.db.execute(
        'SELECT c.*, a.catalogue_id AS active_id FROM catalogue c LEFT JOIN catalogue_activation a ON a.region_code = c.region_code AND a.year = c.year WHERE c.id = ?',
        [id],
      )
    ).rows[0];
    if (!r) throw notFound('unknown-catalogue', `no catalogue ${id}`);
    return metaOfRow(r);
  }

  /** The catalogue versions of a region's year (or of every year), newest year first, newest first within it. */
  async list(region: string, year?: number): Promise<CatalogueMeta[]> {
    const { rows } = await this.db.execute(
      `SELECT c.*, a.catalogue_id AS active_id FROM catalogue c LEFT JOIN catalogue_activation a ON a.region_code = c.region_code AND a.year = c.year
       WHERE c.region_code = ?${year === undefined ? '' : ' AND c.year = ?'} ORDER BY c.year DESC, c.created_at DESC, c.id`,
      year === undefined ? [region] : [region, year],
    );
    return rows.map(metaOfRow);
  }

  /**
   * The whole catalogue for the engine (a grouping or settlement run): refused (409
   * `unverified-catalogue`) while it is unverified and not accepted.
   */
  async load(id: string): Promise<Catalogue> {
    const r = await this.row(id);
    if (isTrue(r.unverified) && r.unverified_accepted_at === null) throw unverifiedRefusal(id, 'be used by a run');
    return this.withGroups(id, figuresOfRow(r));
  }

  /** The whole catalogue as stored, verified or not (an export shows what is there). */
  async contents(id: string): Promise<Catalogue> {
    return this.withGroups(id, figuresOfRow(await this.row(id)));
  }

  private async withGroups(id: string, figures: Omit<Catalogue, 'groups'>): Promise<Catalogue> {
    const groups = (await this.db.execute(`SELECT * FROM catalogue_group WHERE catalogue_id = ? ORDER BY group_key`, [id])).rows.map(
      groupOfRow,
    );
    return { ...figures, groups };
  }

  /** The catalogue's own figures, without its groups. */
  async figures(id: string): Promise<Omit<Catalogue, 'groups'>> {
    return figuresOfRow(await this.row(id));
  }

  private async row(id: string): Promise<Record<string, unknown>> {
    const r = (await this.db.execute('SELECT * FROM catalogue WHERE id = ?', [id])).rows[0];
    if (!r) throw notFound('unknown-catalogue', `no catalogue ${id}`);
    return r;
  }

  /** A page of groups, optionally those whose key starts with a prefix. */
  async groups(
    id: string,
    keyPrefix: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; groups: CatalogueGroup[] }> {
    // '!' escapes LIKE wildcards the same way on both engines (a backslash does not).
    const where = keyPrefix ? "catalogue_id = ? AND group_key LIKE ? ESCAPE '!'" : 'catalogue_id = ?';
    const params = keyPrefix ? [id, `${keyPrefix.replace(/[!%_]/g, (c) => `!${c}`)}%`] : [id];
    const total = Number((await this.db.execute(`SELECT COUNT(*) AS n FROM catalogue_group WHERE ${where}`, params)).rows[0].n);
    const rows = (
      await this.db.execute(`SELECT * FROM catalogue_group WHERE ${where} ORDER BY group_key LIMIT ${limit} OFFSET ${offset}`, params)
    ).rows;
    return { total, groups: rows.map(groupOfRow) };
  }

  /** The id of the catalogue active for a region and year, if any. */
  async activeId(region: string, year: number): Promise<string | null> {
    const r = (await this.db.execute('SELECT catalogue_id FROM catalogue_activation WHERE region_code = ? AND year = ?', [region, year]))
      .rows[0];
    return r ? String(r.catalogue_id) : null;
  }

  /**
   * Makes a catalogue the active one of its region and year (audited, with the one it replaces).
   * An unverified catalogue not accepted yet is refused (409 `unverified-catalogue`) unless
   * `acceptUnverified` says to accept it, which is recorded and audited in the same transaction.
   */
  async activate(id: string, actor: string, opts: { acceptUnverified?: boolean } = {}): Promise<CatalogueMeta> {
    const m = await this.meta(id);
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const state = (yield { sql: 'SELECT unverified, unverified_accepted_at FROM catalogue WHERE id = ?', params: [id] }).rows[0];
      const at = new Date();
      if (isTrue(state.unverified) && state.unverified_accepted_at === null) {
        if (opts.acceptUnverified !== true) throw unverifiedRefusal(id, 'be activated');
        yield* acceptStatements(id, actor, at, 'activate');
      }
      const before = (yield {
        sql: 'SELECT catalogue_id FROM catalogue_activation WHERE region_code = ? AND year = ?',
        params: [m.region, m.year],
      }).rows[0];
      if (before)
        yield {
          sql: 'UPDATE catalogue_activation SET catalogue_id = ?, activated_by = ?, activated_at = ? WHERE region_code = ? AND year = ?',
          params: [id, actor, at, m.region, m.year],
        };
      else
        yield {
          sql: 'INSERT INTO catalogue_activation (region_code, year, catalogue_id, activated_by, activated_at) VALUES (?, ?, ?, ?, ?)',
          params: [m.region, m.year, id, actor, at],
        };
      yield auditStatement({
        at,
        actor,
        action: 'catalogue.activate',
        entity: 'catalogueActivation',
        entityId: `${m.region}/${m.year}`,
        before: before ? { catalogueId: before.catalogue_id } : null,
        after: { catalogueId: id, ...(isTrue(state.unverified) ? { unverified: true } : {}) },
      });
    });
    return { ...(await this.meta(id)), active: true };
  }
}

/** A boolean column as either engine returns it (MySQL TINYINT 0/1, SQLite 0/1). */
const isTrue = (v: unknown): boolean => v === true || Number(v) === 1;

/** The refusal to use an unverified catalogue that nobody accepted. */
function unverifiedRefusal(id: string, use: string): DipError {
  return new DipError(
    'conflict',
    'unverified-catalogue',
    `catalogue ${id} was imported without its content hash, so nothing shows that its content is what was exported: it cannot ${use} until it is accepted explicitly (acceptUnverified=true on its activation or import; dip catalog activate|import --accept-unverified)`,
    [{ path: 'hash', reason: 'missing: the content was not verified against the exporter’s hash' }],
  );
}

/** Records who accepted an unverified catalogue for use, with its audit entry (once: a concurrent acceptance that came first wins). */
function* acceptStatements(id: string, actor: string, at: Date, via: 'import' | 'activate'): Generator<Statement, void, StatementResult> {
  const updated = yield {
    sql: 'UPDATE catalogue SET unverified_accepted_by = ?, unverified_accepted_at = ? WHERE id = ? AND unverified_accepted_at IS NULL',
    params: [actor, at, id],
  };
  if (updated.affected === 0) return;
  yield auditStatement({
    at,
    actor,
    action: 'catalogue.acceptUnverified',
    entity: 'catalogue',
    entityId: id,
    before: { unverified: true, accepted: false },
    after: { unverified: true, accepted: true, via },
  });
}

function metaOfRow(r: Record<string, unknown>): CatalogueMeta {
  return {
    id: String(r.id),
    region: String(r.region_code),
    year: Number(r.year),
    hash: String(r.hash),
    policyHash: r.policy_hash === null ? null : String(r.policy_hash),
    source: r.source as 'build' | 'import',
    coreGroups: Number(r.core_groups),
    compositeGroups: Number(r.composite_groups),
    createdBy: String(r.created_by),
    createdAt: fromSqlDatetime(r.created_at),
    active: r.active_id === r.id,
    unverified: isTrue(r.unverified),
    unverifiedAcceptedBy: r.unverified_accepted_by === null ? null : String(r.unverified_accepted_by),
    unverifiedAcceptedAt: r.unverified_accepted_at === null ? null : fromSqlDatetime(r.unverified_accepted_at),
  };
}

function figuresOfRow(r: Record<string, unknown>): Omit<Catalogue, 'groups'> {
  return {
    region: String(r.region_code),
    year: Number(r.year),
    window: String(r.window_years).split(',').map(Number),
    reference: { type: r.reference_type as 'allCases' | 'benchmark', cost: String(r.reference_cost) },
    costPerPoint: String(r.cost_per_point),
    pvBudget: String(r.pv_budget),
  };
}

function groupOfRow(r: Record<string, unknown>): CatalogueGroup {
  const aux: CatalogueGroup['auxiliary'] = {};
  for (const c of ['2', '3', '4'] as const) if (r[`aux${c}`] !== null) aux[c] = String(r[`aux${c}`]);
  return {
    code: String(r.code),
    key: String(r.group_key),
    kind: r.kind as CatalogueGroup['kind'],
    category: r.category === null ? null : String(r.category),
    treatmentType: r.treatment_type as CatalogueGroup['treatmentType'],
    procedures: r.procedures === '' ? [] : String(r.procedures).split('+'),
    cases: Number(r.cases),
    avgCost: String(r.avg_cost),
    score: String(r.score),
    auxiliary: aux,
    flags: r.flags === '' ? [] : (String(r.flags).split('|') as GroupFlag[]),
    ...(r.level_avg_cost ? { levelAvgCost: levelAveragesOf(String(r.level_avg_cost)) as CatalogueGroup['levelAvgCost'] } : {}),
  };
}
