import { SAMPLE } from '../support/sample-catalogue';
import {
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

  it('refuses a CSV with a missing column', () => {
    const csv = catalogueToCsv(SAMPLE, 'id', catalogueHash(SAMPLE)).replace(',score,', ',points,');
    expect(() => parseCatalogueCsv(csv)).toThrow(/missing column\(s\) score/);
  });
});
