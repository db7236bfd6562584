import { Catalogue } from '../../src/domain/catalog/catalogue';

/** A small catalogue written by hand: two core groups, two composite groups. */
export const SAMPLE: Catalogue = {
  region: '370300',
  year: 2024,
  window: [2021, 2022, 2023],
  reference: { type: 'allCases', cost: '8000.00' },
  costPerPoint: '8.000000',
  pvBudget: '7.950000',
  groups: [
    { code: 'K80.1-51.2300', key: 'K80.1|51.2300', kind: 'core', category: 'K80', treatmentType: 'surgery', procedures: ['51.2300'], cases: 120, avgCost: '24000.00', score: '3000.0000', auxiliary: { '3': '1.2500' }, flags: [] },
    { code: 'K80.1-CONS', key: 'K80.1|', kind: 'core', category: 'K80', treatmentType: 'conservative', procedures: [], cases: 60, avgCost: '6000.00', score: '750.0000', auxiliary: {}, flags: ['primaryCare'] },
    { code: 'Z-K00-K93-S', key: 'K00-K93~surgery', kind: 'composite', category: null, treatmentType: 'surgery', procedures: [], cases: 20, avgCost: '30000.00', score: '3750.0000', auxiliary: {}, flags: [] },
    { code: 'Z-K80-D', key: 'K80~diagnostic', kind: 'composite', category: 'K80', treatmentType: 'diagnostic', procedures: [], cases: 50, avgCost: '5200.00', score: '650.0000', auxiliary: {}, flags: [] },
  ],
};
