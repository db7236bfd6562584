import { DipError } from '../../src/domain/errors';
import { MEDICAL_GROUP_TABLES } from '../../src/domain/schemes/medical-group';
import { headerProblems, readTable, tableSpec } from '../../src/domain/schemes/scheme-input';

const history = tableSpec(MEDICAL_GROUP_TABLES, 'history');
const atLine = (i: number) => ({ line: i + 2 });

function refusal(f: () => unknown): DipError {
  try {
    f();
  } catch (e) {
    if (e instanceof DipError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('readTable (scheme-input.ts)', () => {
  it('reads every cell by its kind: money to two decimals, years as numbers', () => {
    const rows = readTable(history, [{ groupCode: 'G1', year: '2023', outpatientFund: '12.5', inpatientFund: ' 7 ' }], atLine);
    expect(rows).toEqual([{ groupCode: 'G1', year: 2023, outpatientFund: '12.50', inpatientFund: '7.00' }]);
  });

  it('refuses a bad money cell with its line, field and reason, and stores nothing of the table', () => {
    const e = refusal(() =>
      readTable(
        history,
        [
          { groupCode: 'G1', year: '2022', outpatientFund: '1.00', inpatientFund: '2.00' },
          { groupCode: 'G1', year: '2023', outpatientFund: '12.345', inpatientFund: '-1' },
        ],
        atLine,
      ),
    );
    expect(e.code).toBe('invalid-rows');
    expect(e.problems).toEqual([
      { line: 3, field: 'outpatientFund', reason: '"12.345" has 3 decimal places; at most 2 allowed' },
      { line: 3, field: 'inpatientFund', reason: '"-1" is below the minimum 0' },
    ]);
  });

  it('refuses money as a JSON number (it has been through a binary float)', () => {
    const e = refusal(() =>
      readTable(history, [{ groupCode: 'G1', year: 2023, outpatientFund: 0.1, inpatientFund: '1.00' }], (i) => ({ row: i })),
    );
    expect(e.problems).toEqual([{ row: 0, field: 'outpatientFund', reason: expect.stringContaining('never JSON numbers') }]);
  });

  it('refuses a second row with the same key, naming the first', () => {
    const e = refusal(() =>
      readTable(
        history,
        [
          { groupCode: 'G1', year: '2023', outpatientFund: '1.00', inpatientFund: '2.00' },
          { groupCode: 'G1', year: '2023', outpatientFund: '3.00', inpatientFund: '4.00' },
        ],
        atLine,
      ),
    );
    expect(e.problems).toEqual([{ line: 3, field: 'groupCode+year', reason: 'the same groupCode + year as line 2' }]);
  });

  it('refuses an unknown column in the header and an unknown field in a JSON row', () => {
    expect(headerProblems(history, ['groupCode', 'year', 'outpatientFund', 'inpatientFund', 'bonus'])).toEqual([
      { line: 1, field: '"bonus"', reason: expect.stringContaining('unknown column') },
    ]);
    expect(headerProblems(history, ['groupCode', 'year', 'outpatientFund'])).toEqual([
      { line: 1, field: 'inpatientFund', reason: 'required column missing' },
    ]);
    const e = refusal(() =>
      readTable(history, [{ groupCode: 'G1', year: '2023', outpatientFund: '1.00', inpatientFund: '2.00', bonus: '1' }], (i) => ({
        row: i,
      })),
    );
    expect(e.problems).toEqual([{ row: 0, field: '"bonus"', reason: 'unknown field' }]);
  });

  it('refuses a missing required cell and an empty table', () => {
    const e = refusal(() => readTable(history, [{ groupCode: 'G1', year: '2023', outpatientFund: '', inpatientFund: '2.00' }], atLine));
    expect(e.problems).toEqual([{ line: 2, field: 'outpatientFund', reason: 'is required' }]);
    expect(refusal(() => readTable(history, [], atLine)).code).toBe('no-rows');
  });
});
