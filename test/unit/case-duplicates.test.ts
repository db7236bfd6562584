import { decideAgainstStored, firstOfEachCase } from '../../src/domain/case-duplicates';

const c = (line: number, caseId: string, hash: string, region = '370300') => ({ line, region, caseId, hash });

describe('duplicate cases (spec §2)', () => {
  it('keeps the first line of each caseId in the file: an identical repeat is skipped, a different one rejected', () => {
    const r = firstOfEachCase([c(2, 'A', 'h1'), c(3, 'B', 'h2'), c(4, 'A', 'h1'), c(5, 'A', 'h9'), c(6, 'A', 'h1', '110000')]);
    expect(r.skipped).toBe(1);
    expect(r.rejected).toEqual([{ line: 5, caseId: 'A', reason: 'repeats line 2 of this file with different content' }]);
    // The same caseId in another region is another case.
    expect([...r.byRegion].map(([region, cases]) => [region, cases.map((x) => x.line)])).toEqual([
      ['370300', [2, 3]],
      ['110000', [6]],
    ]);
  });

  it('decides against what is stored: new, identical, changed (replaced only when asked), or changed by this very import', () => {
    const stored = new Map([
      ['SAME', { hash: 'h1', batchId: 'old' }],
      ['CHANGED', { hash: 'h1', batchId: 'old' }],
      ['MINE', { hash: 'h1', batchId: 'this' }],
    ]);
    const cases = [c(2, 'NEW', 'h1'), c(3, 'SAME', 'h1'), c(4, 'CHANGED', 'h2'), c(5, 'MINE', 'h2')];
    const keep = decideAgainstStored(cases, stored, 'this', false);
    expect(keep.inserts.map((x) => x.caseId)).toEqual(['NEW']);
    expect(keep.replacements).toEqual([]);
    expect(keep.skipped).toBe(1);
    expect(keep.rejected).toEqual([
      { line: 4, caseId: 'CHANGED', reason: 'already stored with different content; import with replace to overwrite it' },
      { line: 5, caseId: 'MINE', reason: 'repeats an earlier line of this file with different content' },
    ]);
    const replace = decideAgainstStored(cases, stored, 'this', true);
    expect(replace.replacements.map((x) => x.caseId)).toEqual(['CHANGED']);
    expect(replace.rejected.map((x) => x.caseId)).toEqual(['MINE']);
  });
});
