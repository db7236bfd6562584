import {
  compareDecimals,
  divideDecimal,
  formatPointValue,
  formatPoints,
  formatRate,
  formatYuan,
  isNegative,
  roundDecimal,
  subtractDecimals,
  sumDecimals,
} from '../../web/src/format';

/**
 * The web front end's display of decimals (web/src/format.ts): exact, by string and BigInt
 * arithmetic, rounded half away from zero. Every expectation below is computed by hand.
 */
describe('web format', () => {
  describe('formatYuan', () => {
    it.each([
      ['1234567.5', '¥1,234,567.50'],
      ['1234567.50', '¥1,234,567.50'],
      ['-12.3', '-¥12.30'],
      ['12', '¥12.00'],
      ['0', '¥0.00'],
      ['-0.00', '¥0.00'],
      ['-0', '¥0.00'],
      ['0.005', '¥0.01'],
      ['0.004999', '¥0.00'],
      ['1.994999', '¥1.99'],
      ['1.995', '¥2.00'],
      ['-0.005', '-¥0.01'],
      ['-0.004', '¥0.00'],
      ['-1.994999', '-¥1.99'],
      ['999.995', '¥1,000.00'],
      ['999999999999.995', '¥1,000,000,000,000.00'],
      ['999999999999.994', '¥999,999,999,999.99'],
      ['123456789012345678.90', '¥123,456,789,012,345,678.90'],
      ['-123456789012345678.905', '-¥123,456,789,012,345,678.91'],
      // 2^53 + 1: a float would show …992.
      ['9007199254740993.01', '¥9,007,199,254,740,993.01'],
      ['100', '¥100.00'],
      ['1000', '¥1,000.00'],
      ['+5', '¥5.00'],
      ['.5', '¥0.50'],
    ])('%s → %s', (input, expected) => {
      expect(formatYuan(input)).toBe(expected);
    });

    it('returns text that is not a decimal as it is', () => {
      expect(formatYuan('abc')).toBe('abc');
      expect(formatYuan('1e5')).toBe('1e5');
      expect(formatYuan('')).toBe('');
    });
  });

  describe('formatPoints', () => {
    it.each([
      ['1234.5678', '1,234.5678'],
      ['1234.56785', '1,234.5679'],
      ['1234.56784999', '1,234.5678'],
      ['0', '0.0000'],
      ['-0.00005', '-0.0001'],
      ['-0.00004', '0.0000'],
      ['123456789012345678.1234', '123,456,789,012,345,678.1234'],
      ['25290', '25,290.0000'],
    ])('%s → %s', (input, expected) => {
      expect(formatPoints(input)).toBe(expected);
    });
  });

  describe('formatPointValue', () => {
    it.each([
      ['12.302539', '12.302539'],
      ['12.3025395', '12.302540'],
      ['12.30253949', '12.302539'],
      ['1', '1.000000'],
      ['0.0000005', '0.000001'],
      ['1234.5', '1,234.500000'],
    ])('%s → %s', (input, expected) => {
      expect(formatPointValue(input)).toBe(expected);
    });
  });

  describe('formatRate', () => {
    it.each([
      ['0.1234', '12.34%'],
      ['0', '0.00%'],
      ['0.0000', '0.00%'],
      ['1.0000', '100.00%'],
      ['1', '100.00%'],
      ['0.12345', '12.35%'],
      ['0.123449', '12.34%'],
      ['0.00005', '0.01%'],
      ['0.5', '50.00%'],
      ['-0.00005', '-0.01%'],
    ])('%s → %s', (input, expected) => {
      expect(formatRate(input)).toBe(expected);
    });
  });

  describe('sumDecimals', () => {
    it('adds exactly', () => {
      // 0.1 + 0.2 is 0.30000000000000004 in floats.
      expect(sumDecimals(['0.1', '0.2'], 2)).toBe('0.30');
      expect(sumDecimals(['1234567890123456.78', '0.01'], 2)).toBe('1234567890123456.79');
      expect(sumDecimals(['9007199254740993.00', '1.00'], 2)).toBe('9007199254740994.00');
      expect(sumDecimals(['1.5', '2.25', '-0.125'], 3)).toBe('3.625');
      expect(sumDecimals(['10.00', '-10.00'], 2)).toBe('0.00');
      expect(sumDecimals(['-5.50', '2.25'], 2)).toBe('-3.25');
    });

    it('rounds the exact sum once, half away from zero', () => {
      expect(sumDecimals(['0.005', '0.005'], 2)).toBe('0.01');
      expect(sumDecimals(['1.005', '1.005'], 2)).toBe('2.01');
      expect(sumDecimals(['0.0025', '0.0025'], 2)).toBe('0.01');
      expect(sumDecimals(['0.0024', '0.0025'], 2)).toBe('0.00');
      expect(sumDecimals(['-1.005', '0'], 2)).toBe('-1.01');
      expect(sumDecimals(['1.23456', '0'], 4)).toBe('1.2346');
    });

    it('gives zero for no figures and refuses what is not a decimal', () => {
      expect(sumDecimals([], 2)).toBe('0.00');
      expect(sumDecimals([], 0)).toBe('0');
      expect(() => sumDecimals(['1.00', 'x'], 2)).toThrow('not a decimal');
    });
  });

  describe('the other exact helpers', () => {
    it('subtracts, divides, rounds and compares exactly', () => {
      expect(subtractDecimals('268010.87', '271200.00', 2)).toBe('-3189.13');
      expect(subtractDecimals('0.3', '0.1', 2)).toBe('0.20');
      expect(divideDecimal('10.00', 3, 2)).toBe('3.33');
      expect(divideDecimal('20.00', 3, 2)).toBe('6.67');
      expect(divideDecimal('0.05', 2, 2)).toBe('0.03');
      expect(divideDecimal('-0.05', 2, 2)).toBe('-0.03');
      expect(roundDecimal('1234.5', 2)).toBe('1234.50');
      expect(roundDecimal('-0.004', 2)).toBe('0.00');
      expect(compareDecimals('2887.5432', '2887.5433')).toBe(-1);
      expect(compareDecimals('10', '9.9999')).toBe(1);
      expect(compareDecimals('-1.50', '-1.5')).toBe(0);
      expect(compareDecimals('123456789012345678.91', '123456789012345678.90')).toBe(1);
      expect(isNegative('-0.00')).toBe(false);
      expect(isNegative('-0.01')).toBe(true);
      expect(isNegative('0.01')).toBe(false);
    });
  });
});
