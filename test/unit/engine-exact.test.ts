import fc from 'fast-check';
import { parseFixed } from '../../src/domain/engine/exact';

/** The grammar of a plain decimal, as a regular expression: the oracle for the hand-written scanner. */
const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;
function oracle(text: string): { n: bigint; e: number } | null {
  const m = PLAIN.exec(text);
  if (m === null) return null;
  const n = BigInt(m[2] + (m[3] ?? ''));
  return { n: m[1] === '-' ? -n : n, e: (m[3] ?? '').length };
}

describe('parseFixed', () => {
  it.each([
    ['12', 12n, 0],
    ['1234.50', 123450n, 2],
    ['-0.5', -5n, 1],
    ['0.0001', 1n, 4],
    ['007', 7n, 0],
  ])('reads %s as %s × 10^-%s', (text, n, e) => {
    expect(parseFixed(text)).toEqual({ n, e });
  });

  it.each(['', '-', '.5', '1.', '1.2.3', '+1', '1e3', ' 1', '1 ', '--1', '1,5', '-.5', '١٢'])('refuses %j', (text) => {
    expect(parseFixed(text)).toBeNull();
  });

  it('agrees with the grammar on any text made of digits, points, minus signs and a few others', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', 'e', ' '), maxLength: 12 }), (text) => {
        expect(parseFixed(text)).toEqual(oracle(text));
      }),
      { numRuns: 5000 },
    );
  });
});
