import fc from 'fast-check';
import { fenOf, parseYuan, pointsText, pointUnitsOf, scaledOrNull, scaledText, yuanText } from '../../src/domain/money';

describe('money: yuan, fen and 4-dp figures as text and integers', () => {
  it('reads any plain decimal up to the scale, however many decimals it writes', () => {
    expect(fenOf('12345.60')).toBe(1234560n);
    expect(fenOf('12345.6')).toBe(1234560n);
    expect(fenOf('12345')).toBe(1234500n);
    expect(fenOf('0.05')).toBe(5n);
    expect(fenOf('-3.10')).toBe(-310n);
    expect(pointUnitsOf('3090.0000')).toBe(30_900_000n);
    expect(pointUnitsOf('0.5')).toBe(5000n);
    expect(pointUnitsOf('12')).toBe(120_000n);
  });

  it('refuses what is not such a decimal instead of misreading it', () => {
    // The old reading, BigInt(x.replace('.', '')), took '12.5' for 125 fen and '12' for 12 fen.
    for (const bad of ['1.234', '1e3', '', '.5', '1.', '--1', '1,000.00', ' 1.00', '１２']) expect(scaledOrNull(bad, 2)).toBeNull();
    expect(() => fenOf('1.234')).toThrow(/at most 2 decimals/);
    expect(() => pointUnitsOf('1.23456')).toThrow(/at most 4 decimals/);
  });

  it('writes exactly the scale, with a sign where negative', () => {
    expect(yuanText(1234560n)).toBe('12345.60');
    expect(yuanText(5n)).toBe('0.05');
    expect(yuanText(0n)).toBe('0.00');
    expect(yuanText(-1n)).toBe('-0.01');
    expect(pointsText(30_900_000n)).toBe('3090.0000');
    expect(scaledText(7n, 0)).toBe('7');
  });

  it('round-trips every integer through its text (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), (n, dp) => {
        expect(scaledOrNull(scaledText(n, dp), dp)).toBe(n);
      }),
    );
  });

  it('parses what a user wrote as yuan, with the reason when it is not', () => {
    expect(parseYuan('007.5')).toEqual({ fen: 750n, text: '7.50' });
    expect(parseYuan('9999999999999.99')).toEqual({ fen: 999999999999999n, text: '9999999999999.99' });
    expect(parseYuan('10000000000000')).toBe('"10000000000000" is above the maximum 9999999999999.99');
    expect(parseYuan('1.234')).toBe('"1.234" has 3 decimal places; at most 2 allowed');
    expect(parseYuan('1e3')).toBe('"1e3" uses exponent notation; write the plain decimal');
    expect(parseYuan('-5')).toBe('"-5" is not a decimal number');
  });
});
