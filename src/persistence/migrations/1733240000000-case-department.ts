import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columnKit } from './1732400000000-foundation';

/** The tables that hold a case's columns (CASE_COLUMNS): the cases and their staging twin. */
const CASE_TABLES = ['dip_case', 'case_staging'];

/**
 * The department (科室) of a case (issue 12): optional, NULL when not given, so the cases stored
 * before keep their content hash and read back unchanged. Added last to both tables, so that
 * `INSERT … SELECT` between them stays a plain column list. 64 characters: MAX_DEPARTMENT_CHARS
 * of domain/case-record.ts when this was written (a migration does not follow later changes).
 * On MariaDB a nullable column added last is an instant change, whatever the number of cases.
 */
export class CaseDepartment1733240000000 implements MigrationInterface {
  name = 'CaseDepartment1733240000000';

  async up(qr: QueryRunner): Promise<void> {
    const k = columnKit(qr);
    for (const table of CASE_TABLES) await qr.addColumn(table, new TableColumn(k.str('department', 64, { isNullable: true })));
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of CASE_TABLES) await qr.dropColumn(table, 'department');
  }
}
