import { SAMPLE } from '../support/sample-catalogue';
import {
  CATALOGUE_BOUNDS,
  CatalogueFormatError,
  catalogueHash,
  catalogueToCsv,
  catalogueToJson,
  parseCatalogueCsv,
  parseCatalogueJson,
} from '../../src/domain/catalogue/exchange';

describe('catalogue exchange format', () => {
  it('round-trips through JSON with the same hash', () => {
    const hash = catalogueHash(SAMPLE);
    const doc = JSON.parse(JSON.stringify(catalogueToJson(SAMPLE, 'id-1', hash)));
    const back = parseCatalogueJson(doc);
    expect(back.hash).toBe(hash);
    const { hash: _h, ...content } = back;
    expect(catalogueHash(content)).toBe(hash);
    expect(content.groups.map((g) => g.key)).toEqual(['K00-K93~surgery', 'K80.1|', 'K80.1|51.2300', 'K80~diagnostic']);
  });

  it('round-trips through CSV with the same hash and exact decimals', () => {
    const hash = catalogueHash(SAMPLE);
    const csv = catalogueToCsv(SAMPLE, 'id-1', hash);
    expect(csv).toContain('#costPerPoint=8.000000');
    expect(csv).toContain('K80.1-51.2300,K80.1|51.2300,core,K80,surgery,51.2300,120,24000.00,3000.0000,,1.2500,,');
    const back = parseCatalogueCsv(csv);
    const { hash: h, ...content } = back;
    expect(h).toBe(hash);
    expect(catalogueHash(content)).toBe(hash);
  });

  it('hashes by content: any changed figure changes the hash', () => {
    const changed = { ...SAMPLE, groups: SAMPLE.groups.map((g, i) => (i === 0 ? { ...g, score: '3000.0001' } : g)) };
    expect(catalogueHash(changed)).not.toBe(catalogueHash(SAMPLE));
  });

  const problemsOf = (doc: unknown): string[] => {
    try {
      parseCatalogueJson(doc);
    } catch (err) {
      if (err instanceof CatalogueFormatError) return err.problems.map((p) => `${p.path}: ${p.reason}`);
      throw err;
    }
    return [];
  };
  const base = () => JSON.parse(JSON.stringify(catalogueToJson(SAMPLE, 'x', catalogueHash(SAMPLE))));

  it('refuses a duplicated key, naming both places', () => {
    const doc = base();
    doc.groups.push({ ...doc.groups[0] });
    delete doc.hash;
    expect(problemsOf(doc)).toEqual(['groups[4].key: duplicates the key "K80.1|51.2300" of groups[0]']);
  });

  it('refuses a non-decimal score and a number where a decimal string belongs', () => {
    const doc = base();
    delete doc.hash;
    doc.groups[0].score = 'abc';
    doc.groups[1].avgCost = 6000;
    expect(problemsOf(doc)).toEqual(['groups[0].score: "abc" is not a decimal number', 'groups[1].avgCost: must be a decimal string']);
  });

  it('refuses a kind or treatment type that contradicts the key', () => {
    const doc = base();
    delete doc.hash;
    doc.groups[2].kind = 'core';
    doc.groups[3].treatmentType = 'surgery';
    expect(problemsOf(doc)).toEqual([
      'groups[2].kind: must be "composite" for the key "K00-K93~surgery"',
      'groups[3].treatmentType: must be "diagnostic" for the key "K80~diagnostic"',
    ]);
  });

  describe('import checks (issue 11): bounds of the figures, the year and the window', () => {
    const check = (edit: (doc: Record<string, any>) => void): string[] => {
      const doc = base();
      edit(doc);
      return problemsOf(doc);
    };

    it('refuses a costPerPoint or reference cost of 0, keeping pvBudget 0 (a build with no points)', () => {
      expect(check((d) => (d.costPerPoint = '0.000000'))).toEqual([
        'costPerPoint: must be greater than 0: a case without a score is valued at totalCost / costPerPoint',
      ]);
      expect(check((d) => (d.costPerPoint = '-1'))).toEqual([expect.stringMatching(/^costPerPoint: must be greater than 0/)]);
      expect(check((d) => (d.reference.cost = '0'))).toEqual([expect.stringMatching(/^reference\.cost: must be greater than 0/)]);
      expect(check((d) => (d.pvBudget = '0.000000'))).toEqual([]);
      expect(check((d) => (d.costPerPoint = '0.000001'))).toEqual([]);
    });

    it(`takes a year from ${CATALOGUE_BOUNDS.minYear} to ${CATALOGUE_BOUNDS.maxYear} only`, () => {
      expect(check((d) => (d.year = 99999))).toEqual([
        'year: must be a settlement year from 1900 to 2999 (the years a policy may have); got 99999',
      ]);
      expect(check((d) => ((d.year = 1899), (d.window = [1898])))).toEqual([expect.stringMatching(/^year: must be a settlement year/)]);
      expect(check((d) => (d.year = 2024.5))).toEqual(['year: must be a whole number']);
      expect(check((d) => ((d.year = 2999), (d.window = [2998])))).toEqual([]);
    });

    it('refuses a window year after the catalogue’s year, out of order, or beyond the longest look-back', () => {
      expect(check((d) => (d.window = [2022, 2023, 2025]))).toEqual([
        "window[2]: 2025 is after the catalogue's year 2024: the window is the history the catalogue was built from",
      ]);
      expect(check((d) => (d.window = [2023, 2022]))).toEqual([
        "window[1]: 2022 follows 2023: the window's years are in ascending order, each once",
      ]);
      expect(check((d) => (d.window = [2022, 2022]))).toEqual([expect.stringMatching(/^window\[1\]: 2022 follows 2022/)]);
      expect(check((d) => (d.window = [2003, 2023]))).toEqual([
        "window[0]: 2003 is more than 20 years before the catalogue's year 2024 (the longest look-back a policy may have)",
      ]);
      expect(check((d) => (d.window = []))).toEqual(['window: must be a non-empty array of years']);
      // The bounds: 20 years back, and the year itself (the window "ends by" the catalogue's year).
      expect(check((d) => (d.window = [2004, 2024]))).toEqual([]);
      // Against an invalid year only the order is checked.
      expect(check((d) => ((d.year = 99999), (d.window = [2025])))).toEqual([expect.stringMatching(/^year:/)]);
    });

    it('refuses a severity factor below 1, naming the group and class', () => {
      expect(check((d) => (d.groups[0].auxiliary = { '2': '0.9000', '3': '1.0000', '4': '1.2500' }))).toEqual([
        "groups[0].auxiliary.2: must be at least 1: a severity factor multiplies the score of the class's cases (1 is no adjustment)",
      ]);
      expect(check((d) => (d.groups[0].auxiliary = { '3': '0' }))).toEqual([
        expect.stringMatching(/^groups\[0\]\.auxiliary\.3: must be at least 1/),
      ]);
    });

    it('refuses a hash that is not a sha256, and leaves one out as absent (the import marks it unverified)', () => {
      expect(check((d) => (d.hash = 'abc'))).toEqual([expect.stringMatching(/^hash: must be the sha256 of the content/)]);
      expect(check((d) => (d.hash = null))).toEqual([expect.stringMatching(/^hash: must be the sha256/)]);
      expect(check((d) => (d.hash = d.hash.toUpperCase()))).toEqual([expect.stringMatching(/^hash: /)]);
      const doc = base();
      delete doc.hash;
      expect('hash' in parseCatalogueJson(doc)).toBe(false);
    });

    it('reports every problem of a document at once', () => {
      const problems = check((d) => {
        d.costPerPoint = '0';
        d.window = [2025];
        d.groups[1].auxiliary = { '2': '0.5000' };
      });
      expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual(['window[0]', 'costPerPoint', 'groups[1].auxiliary.2']);
    });

    it('applies the same checks to the CSV form; an empty #hash= line is a bad hash, no #hash line is no hash', () => {
      const csv = catalogueToCsv(SAMPLE, 'id', catalogueHash(SAMPLE));
      const csvProblems = (text: string): string[] => {
        try {
          parseCatalogueCsv(text);
        } catch (err) {
          if (err instanceof CatalogueFormatError) return err.problems.map((p) => `${p.path}: ${p.reason}`);
          throw err;
        }
        return [];
      };
      expect(csvProblems(csv.replace('#costPerPoint=8.000000', '#costPerPoint=0'))).toEqual([
        expect.stringMatching(/^costPerPoint: must be greater than 0/),
      ]);
      expect(csvProblems(csv.replace('#year=2024', '#year=99999'))).toEqual([expect.stringMatching(/^year: /)]);
      expect(csvProblems(csv.replace('#window=2021,2022,2023', '#window=2023,2025'))).toEqual([
        expect.stringMatching(/^window\[1\]: 2025 is after/),
      ]);
      expect(csvProblems(csv.replace(',,1.2500,,', ',,0.8000,,'))).toEqual([
        expect.stringMatching(/^groups\[\d\]\.auxiliary\.3: must be at least 1/),
      ]);
      expect(csvProblems(csv.replace(/#hash=[0-9a-f]+/, '#hash='))).toEqual([expect.stringMatching(/^hash: /)]);
      const withoutHash = csv.replace(/#hash=[0-9a-f]+\n/, '');
      expect(withoutHash).not.toContain('#hash');
      expect('hash' in parseCatalogueCsv(withoutHash)).toBe(false);
    });
  });

  it('writes no hash for an unverified catalogue (null), in either form; it reads back without one', () => {
    const doc = JSON.parse(JSON.stringify(catalogueToJson(SAMPLE, 'x', null)));
    expect('hash' in doc).toBe(false);
    expect('hash' in parseCatalogueJson(doc)).toBe(false);
    const csv = catalogueToCsv(SAMPLE, 'x', null);
    expect(csv).not.toContain('#hash');
    expect('hash' in parseCatalogueCsv(csv)).toBe(false);
  });

  it('refuses a CSV with a missing column', () => {
    const csv = catalogueToCsv(SAMPLE, 'id', catalogueHash(SAMPLE)).replace(',score,', ',points,');
    expect(() => parseCatalogueCsv(csv)).toThrow(/missing column\(s\) score/);
  });
});
