import { flatten, moneyKeys } from '../../web/src/scheme-figures';

/** The dashboard's generic showing of a scheme's figures (web/src/scheme-figures.ts). */
describe('scheme figures on the dashboard', () => {
  it('formats money from its string, and leaves ratios written with two decimals as they are', () => {
    const lines = flatten({
      allowance: '65649500.00',
      growth: '0.05',
      reconciliation: { retentionRatio: '1', parts: { fund: '1533350.00' } },
      shares: { group: '0.10' },
    });
    expect(Object.fromEntries(lines.map((l) => [l.key, l.value]))).toEqual({
      allowance: '¥65,649,500.00',
      growth: '0.05',
      'reconciliation.retentionRatio': '1',
      'reconciliation.parts.fund': '¥1,533,350.00',
      'shares.group': '0.10',
    });
  });

  it('takes as money columns the figures that are money in every row, never a ratio', () => {
    expect(
      moneyKeys([
        { allowance: '100.00', growth: '0.05', schemeYear: 3, note: 'x' },
        { allowance: '-5.10', growth: '0.07', schemeYear: 1, note: null },
      ]),
    ).toEqual(['allowance']);
  });
});
