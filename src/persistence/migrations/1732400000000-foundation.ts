import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import { MONEY_COLUMN } from '../../domain/money';

/** Engine-neutral column helpers: the one place where MySQL and SQLite DDL differ. */
export function columnKit(qr: QueryRunner) {
  const sqlite = qr.connection.driver.options.type === 'better-sqlite3';
  return {
    /** Exact decimal: DECIMAL(p,s) in MySQL; TEXT in SQLite, whose DECIMAL would be a float. */
    decimal: (name: string, precision: number, scale: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions =>
      sqlite ? { name, type: 'text', ...extra } : { name, type: 'decimal', precision, scale, ...extra },
    /** Codes and ids compare byte for byte (C1 ≠ c1): binary collation on MySQL, SQLite's default. */
    str: (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      ...(sqlite ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' }),
      ...extra,
    }),
    int: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'int', ...extra }),
    bool: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'boolean', ...extra }),
    text: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'text', ...extra }),
    /** Documents of any size (MySQL's TEXT stops at 64 KB). */
    longText: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: sqlite ? 'text' : 'longtext',
      ...extra,
    }),
    /** Bytes of any size (a compressed chunk). */
    blob: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: sqlite ? 'blob' : 'longblob',
      ...extra,
    }),
    datetime: (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'datetime', ...extra }),
    bigId: (name = 'id'): TableColumnOptions =>
      sqlite
        ? { name, type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }
        : { name, type: 'bigint', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
    now: sqlite ? "(datetime('now'))" : 'CURRENT_TIMESTAMP',
  };
}

/**
 * The columns a case has, shared by the case table and its staging twin, so that
 * `INSERT … SELECT` between them is a plain column list.
 */
export function caseColumns(k: ReturnType<typeof columnKit>): TableColumnOptions[] {
  return [
    k.str('region_code', 6),
    k.str('case_id', 64),
    k.str('hospital_code', 32),
    k.str('pool', 10),
    k.str('patient_id', 64),
    k.str('sex', 1),
    { name: 'age', type: 'smallint' },
    { name: 'age_days', type: 'smallint', isNullable: true },
    { name: 'admission_date', type: 'date' },
    { name: 'discharge_date', type: 'date' },
    k.str('settlement_month', 7),
    k.int('los_days'),
    k.str('discharge_mode', 1),
    k.str('principal_diagnosis', 40),
    k.str('secondary_diagnoses', 2000),
    k.str('principal_procedure', 20, { isNullable: true }),
    k.str('other_procedures', 2000),
    k.decimal('total_cost', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
    k.decimal('fund_payment', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
    k.decimal('out_of_catalog_self_pay', MONEY_COLUMN.precision, MONEY_COLUMN.scale),
    k.bool('day_surgery'),
    k.bool('external_expert'),
    k.bool('new_technology'),
    k.str('content_hash', 40),
    k.str('batch_id', 36),
  ];
}

export class Foundation1732400000000 implements MigrationInterface {
  name = 'Foundation1732400000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    await qr.createTable(
      new Table({
        name: 'region',
        columns: [k.str('code', 6, { isPrimary: true }), k.str('name', 100), k.datetime('created_at', { default: k.now })],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'hospital',
        columns: [
          k.str('code', 32, { isPrimary: true }),
          k.str('region_code', 6),
          k.str('name', 200),
          k.str('level', 20),
          k.bool('bonus_primary_care', { default: false }),
          k.bool('bonus_tcm', { default: false }),
          k.bool('bonus_key_discipline_national', { default: false }),
          k.bool('bonus_key_discipline_provincial', { default: false }),
          k.datetime('created_at', { default: k.now }),
          k.datetime('updated_at', { default: k.now }),
        ],
        indices: [{ name: 'ix_hospital_region', columnNames: ['region_code'] }],
        foreignKeys: [{ columnNames: ['region_code'], referencedTableName: 'region', referencedColumnNames: ['code'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'import_batch',
        columns: [
          k.str('id', 36, { isPrimary: true }),
          k.str('kind', 20),
          k.str('source', 500),
          k.str('format', 10),
          k.str('mode', 10),
          k.bool('replace_existing'),
          k.str('status', 12),
          k.str('content_hash', 64, { isNullable: true }),
          { name: 'bytes_read', type: 'bigint', default: 0 },
          { name: 'bytes_expected', type: 'bigint', isNullable: true },
          k.int('rows_read', { default: 0 }),
          k.int('rows_inserted', { default: 0 }),
          k.int('rows_replaced', { default: 0 }),
          k.int('rows_skipped', { default: 0 }),
          k.int('rows_rejected', { default: 0 }),
          k.text('error', { isNullable: true }),
          k.str('actor', 100),
          k.datetime('started_at'),
          k.datetime('heartbeat_at'),
          k.datetime('finished_at', { isNullable: true }),
        ],
        indices: [{ name: 'ix_import_batch_status', columnNames: ['status'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'import_rejection',
        columns: [
          k.bigId(),
          k.str('batch_id', 36),
          k.int('line'),
          k.str('case_id', 64, { isNullable: true }),
          k.str('field', 40),
          k.str('reason', 1000),
        ],
        indices: [{ name: 'ix_rejection_batch_line', columnNames: ['batch_id', 'line'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'dip_case',
        // Clustered by settlement month: a month's (or a year's) cases are one contiguous range
        // for settlement, and a year's import appends month by month. One secondary index.
        columns: caseColumns(k).map((c) =>
          ['region_code', 'settlement_month', 'case_id'].includes(c.name) ? { ...c, isPrimary: true } : c,
        ),
        indices: [{ name: 'uq_case_region_case_id', columnNames: ['region_code', 'case_id'], isUnique: true }],
      }),
    );
    // SQLite imports stage their rows here, invisible, until the batch commits in one transaction.
    await qr.createTable(
      new Table({
        name: 'case_staging',
        columns: [
          { ...k.str('batch_id', 36), isPrimary: true },
          { ...k.int('line'), isPrimary: true },
          k.bool('replaces', { default: false }),
          ...caseColumns(k).filter((c) => c.name !== 'batch_id'),
        ],
        indices: [{ name: 'ix_staging_batch_case', columnNames: ['batch_id', 'region_code', 'case_id'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          k.bigId(),
          k.datetime('at'),
          k.str('actor', 100),
          k.str('action', 60),
          k.str('entity', 40),
          k.str('entity_id', 100),
          k.text('before_state', { isNullable: true }),
          k.text('after_state', { isNullable: true }),
        ],
        indices: [{ name: 'ix_audit_entity', columnNames: ['entity', 'entity_id'] }],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'code_table',
        columns: [
          k.str('region_code', 6, { isPrimary: true }),
          k.str('kind', 20, { isPrimary: true }),
          k.str('source', 500),
          k.str('content_hash', 64),
          k.int('entries'),
          k.datetime('loaded_at'),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'code_entry',
        columns: [
          k.str('region_code', 6, { isPrimary: true }),
          k.str('kind', 20, { isPrimary: true }),
          k.str('code', 40, { isPrimary: true }),
          k.str('value', 300),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of [
      'code_entry',
      'code_table',
      'audit_log',
      'case_staging',
      'dip_case',
      'import_rejection',
      'import_batch',
      'hospital',
      'region',
    ]) {
      await qr.dropTable(t);
    }
  }
}
