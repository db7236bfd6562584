import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { auditStatement } from '../audit/audit.store';
import { Catalogue, CatalogueGroup, GroupFlag } from '../domain/catalogue/catalogue';
import { levelAveragesOf, levelAveragesText } from '../domain/catalogue/exchange';
import { notFound } from '../domain/errors';
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
}

const INSERT_CHUNK = 200;
const GROUP_COLUMNS =
  'catalogue_id, group_key, code, kind, category, treatment_type, procedures, cases, avg_cost, score, aux2, aux3, aux4, flags, level_avg_cost';

/** Catalogue versions: immutable once stored; activation per region and year is audited. */
@Injectable()
export class CatalogueStore {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Stores a catalogue in one transaction. The same content (hash) for the same region and
   * year is the same version: storing it again returns the existing id.
   */
  async save(
    c: Catalogue,
    hash: string,
    meta: { source: 'build' | 'import'; policyHash: string | null; actor: string },
  ): Promise<{ id: string; created: boolean }> {
    const id = randomUUID();
    return this.db.transaction(function* (): Generator<Statement, { id: string; created: boolean }, StatementResult> {
      const existing = (yield {
        sql: 'SELECT id FROM catalogue WHERE region_code = ? AND year = ? AND hash = ?',
        params: [c.region, c.year, hash],
      }).rows[0];
      if (existing) return { id: String(existing.id), created: false };
      const at = new Date();
      const core = c.groups.filter((g) => g.kind === 'core').length;
      yield {
        sql: 'INSERT INTO catalogue (id, region_code, year, window_years, reference_type, reference_cost, cost_per_point, pv_budget, hash, policy_hash, source, core_groups, composite_groups, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
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
        after: { region: c.region, year: c.year, hash, policyHash: meta.policyHash, groups: c.groups.length },
      });
      return { id, created: true };
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
    return {
      id,
      region: String(r.region_code),
      year: Number(r.year),
      hash: String(r.hash),
      policyHash: r.policy_hash === null ? null : String(r.policy_hash),
      source: r.source as 'build' | 'import',
      coreGroups: Number(r.core_groups),
      compositeGroups: Number(r.composite_groups),
      createdBy: String(r.created_by),
      createdAt: fromSqlDatetime(r.created_at),
      active: r.active_id === id,
    };
  }

  /** The whole catalogue, as built or imported. */
  async load(id: string): Promise<Catalogue> {
    const figures = await this.figures(id);
    const groups = (await this.db.execute(`SELECT * FROM catalogue_group WHERE catalogue_id = ? ORDER BY group_key`, [id])).rows.map(
      groupOfRow,
    );
    return { ...figures, groups };
  }

  /** The catalogue's own figures, without its groups. */
  async figures(id: string): Promise<Omit<Catalogue, 'groups'>> {
    const r = (await this.db.execute('SELECT * FROM catalogue WHERE id = ?', [id])).rows[0];
    if (!r) throw notFound('unknown-catalogue', `no catalogue ${id}`);
    return {
      region: String(r.region_code),
      year: Number(r.year),
      window: String(r.window_years).split(',').map(Number),
      reference: { type: r.reference_type as 'allCases' | 'benchmark', cost: String(r.reference_cost) },
      costPerPoint: String(r.cost_per_point),
      pvBudget: String(r.pv_budget),
    };
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

  /** Makes a catalogue the active one of its region and year (audited, with the one it replaces). */
  async activate(id: string, actor: string): Promise<CatalogueMeta> {
    const m = await this.meta(id);
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const before = (yield {
        sql: 'SELECT catalogue_id FROM catalogue_activation WHERE region_code = ? AND year = ?',
        params: [m.region, m.year],
      }).rows[0];
      const at = new Date();
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
        after: { catalogueId: id },
      });
    });
    return { ...m, active: true };
  }
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
