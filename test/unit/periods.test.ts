import { isMonth, isYear, monthsBetween, PERIOD_PATTERN, yearOf } from '../../src/domain/periods';

describe('settlement periods', () => {
  it('knows a month and a year by their shape', () => {
    expect(['2024-01', '2024-12'].map(isMonth)).toEqual([true, true]);
    expect(['2024-00', '2024-13', '2024-3', '2024', '24-03', ' 2024-03'].map(isMonth)).toEqual([false, false, false, false, false, false]);
    expect(['2024', '2024-03', '202'].map(isYear)).toEqual([true, false, false]);
    expect(['2024', '2024-03', '2024-13'].map((p) => PERIOD_PATTERN.test(p))).toEqual([true, true, false]);
    expect(yearOf('2024-03')).toBe(2024);
  });

  it('lists the months between two months, across a year end', () => {
    expect(monthsBetween('2021-11', '2022-02')).toEqual(['2021-11', '2021-12', '2022-01', '2022-02']);
    expect(monthsBetween('2024-03', '2024-03')).toEqual(['2024-03']);
    expect(monthsBetween('2024-04', '2024-03')).toEqual([]);
  });
});
