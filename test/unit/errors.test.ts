import { BODY_LIMITS, DipError, excerpt } from '../../src/domain/errors';

describe('DipError.toBody: bounded whatever the input', () => {
  it('cuts the message, each reason and the number of problems, saying how many more there were', () => {
    const problems = Array.from({ length: 250 }, (_, i) => ({ line: i + 1, field: 'x', reason: 'r'.repeat(5000) }));
    const body = new DipError('invalid', 'header', 'm'.repeat(100_000), problems, 1).toBody();
    expect(body.message).toBe(`${'m'.repeat(BODY_LIMITS.messageChars)}…`);
    expect(body.problems).toHaveLength(BODY_LIMITS.problems + 1);
    expect(body.problems![0]).toEqual({ line: 1, field: 'x', reason: `${'r'.repeat(BODY_LIMITS.reasonChars)}…` });
    expect(body.problems![BODY_LIMITS.problems]).toEqual({ reason: '… and 150 more' });
    // It fits MySQL's TEXT column (65,535 bytes) with room to spare.
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(65_535);
  });

  it('leaves a small error as it is', () => {
    expect(new DipError('conflict', 'finalised', 'the period is finalised').toBody()).toEqual({
      code: 'finalised',
      message: 'the period is finalised',
    });
  });
});

describe('excerpt: how an error quotes a value', () => {
  it('quotes at most 40 characters and escapes control characters', () => {
    expect(excerpt('K80.100')).toBe('"K80.100"');
    expect(excerpt('a'.repeat(41))).toBe(`"${'a'.repeat(40)}…"`);
    expect(excerpt('P\u00001\t2\n')).toBe('"P\\u00001\\u00092\\u000a"');
  });
});
