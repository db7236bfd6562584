import { parseCodeTableLine } from '../../src/domain/code-table';

describe('parseCodeTableLine: diagnosis', () => {
  it.each([
    ['K80.100 胆囊结石伴急性胆囊炎', 'K80.100', '胆囊结石伴急性胆囊炎'],
    ['k80.000X002\t胆囊结石伴急性胆囊炎 ', 'K80.000x002', '胆囊结石伴急性胆囊炎'],
    ['I10.x00   高血压', 'I10.x00', '高血压'],
    ['A01.000x005+J17.0* 伤寒 肺炎', 'A01.000x005+J17.0*', '伤寒 肺炎'],
    ['X59.900 暴露于未特指的因素', 'X59.900', '暴露于未特指的因素'],
    ['\uFEFFA00.000 霍乱', 'A00.000', '霍乱'],
    ['A00.000 霍乱\r', 'A00.000', '霍乱'],
  ])('%j → %s %s', (line, code, value) => {
    expect(parseCodeTableLine('diagnosis', line)).toEqual({ code, value });
  });

  it.each([
    ['K80.100', /expected "CODE NAME"/],
    ['K80 胆囊结石', /"K80" is not an ICD-10 医保版 diagnosis code/],
    ['51.2300 腹腔镜下胆囊切除术', /"51.2300" is not an ICD-10/],
  ])('rejects %j', (line, reason) => {
    expect(parseCodeTableLine('diagnosis', line)).toEqual({ error: expect.stringMatching(reason) });
  });
});

describe('parseCodeTableLine: procedure', () => {
  it.each([
    ['51.2300 腹腔镜下胆囊切除术', '51.2300', '腹腔镜下胆囊切除术'],
    ['96.0800X005 鼻胃管置入术', '96.0800x005', '鼻胃管置入术'],
    ['  50.1100\t闭合性[经皮][针吸]肝活组织检查  ', '50.1100', '闭合性[经皮][针吸]肝活组织检查'],
  ])('%j → %s %s', (line, code, value) => {
    expect(parseCodeTableLine('procedure', line)).toEqual({ code, value });
  });

  it.each([
    ['51.2300', /expected "CODE NAME"/],
    ['K80.100 胆囊结石', /"K80.100" is not an ICD-9-CM-3 procedure code/],
    ['5123 切除术', /"5123" is not an ICD-9-CM-3/],
  ])('rejects %j', (line, reason) => {
    expect(parseCodeTableLine('procedure', line)).toEqual({ error: expect.stringMatching(reason) });
  });
});

describe('parseCodeTableLine: procedureType', () => {
  it.each([
    ['51.2300 手术', 'surgery'],
    ['39.5000 介入治疗', 'surgery'],
    ['37.2200 介入', 'surgery'],
    ['96.0400 治疗性操作', 'therapeutic'],
    ['88.7400 诊断性操作', 'diagnostic'],
    ['51.2300 surgery', 'surgery'],
    ['39.5000 interventional', 'surgery'],
    ['96.0400 Therapeutic', 'therapeutic'],
    ['88.7400 DIAGNOSTIC', 'diagnostic'],
    ['88.7400\t诊断性操作 ', 'diagnostic'],
  ])('%j → %s', (line, type) => {
    expect(parseCodeTableLine('procedureType', line)).toEqual({ code: line.trim().split(/\s+/)[0], value: type });
  });

  it('normalises the code of a type line', () => {
    expect(parseCodeTableLine('procedureType', '96.0800X005 治疗性操作')).toEqual({ code: '96.0800x005', value: 'therapeutic' });
  });

  it.each([
    ['51.2300 保守治疗', /"保守治疗" is not a procedure type/],
    ['51.2300 conservative', /"conservative" is not a procedure type/],
    ['51.2300 手术 操作', /"手术 操作" is not a procedure type/],
    ['K80.100 手术', /"K80.100" is not an ICD-9-CM-3 procedure code/],
    ['51.2300', /expected "CODE NAME" \(or "CODE TYPE"\)/],
  ])('rejects %j', (line, reason) => {
    expect(parseCodeTableLine('procedureType', line)).toEqual({ error: expect.stringMatching(reason) });
  });
});

describe('parseCodeTableLine: blank lines', () => {
  it.each(['', '   ', '\t', '\r', '\uFEFF'])('skips %j', (line) => {
    expect(parseCodeTableLine('diagnosis', line)).toBeNull();
    expect(parseCodeTableLine('procedure', line)).toBeNull();
    expect(parseCodeTableLine('procedureType', line)).toBeNull();
  });
});
