import './quiet-logs';
import request from 'supertest';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Catalogue, groupCode } from '../../src/domain/catalogue/catalogue';
import { catalogueHash, catalogueToCsv, catalogueToJson } from '../../src/domain/catalogue/exchange';
import { CASE_HEADER, caseLine, startTestApp, TestApp, TEST_HOSPITALS } from '../support/app';
import { describeEngines } from '../support/engines';
import { SAMPLE } from '../support/sample-catalogue';
import type { SqlParam } from '../../src/persistence/database.service';
import { jsonCase, storedIds } from './e2e-helpers';
import { authorize, gbk, isUtf8, sendChunked, sendWithLength, splitCharacters, UploadResponse } from './upload-helpers';

/**
 * Every upload is read through one gate: bytes → size limit (MAX_UPLOAD_BYTES) → strict UTF-8 →
 * text. A character split between network chunks arrives whole; a GBK file is a 415 `encoding`;
 * a body over the limit is a 413 `too-large`, with or without Content-Length; a refused upload
 * stores nothing. Checked for every upload endpoint, on both engines.
 */

/** MAX_UPLOAD_BYTES of the second app of each engine. */
const LIMIT = 20_000;
const CSV = 'text/csv';
const JSON_TYPE = 'application/json';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const pad = (i: number, n = 4) => String(i).padStart(n, '0');
const sortedStrings = (xs: string[]) => [...xs].sort();

/** Status and body together, so that a failure shows what the server answered. */
const answer = (res: UploadResponse | request.Response) => ({ status: res.status, body: res.body });

function expectRefused(res: UploadResponse, status: 413 | 415, error: 'too-large' | 'encoding'): void {
  expect(answer(res)).toMatchObject({ status, body: { statusCode: status, error } });
}

/** The case import refuses with its import report; before reading, a Content-Length over the limit may be refused as `{ statusCode, error }`. */
function expectCaseImportRefused(res: UploadResponse, status: 413 | 415, code: 'too-large' | 'encoding', allowPlainError = false): void {
  if (allowPlainError && typeof res.body?.error === 'string')
    expect(answer(res)).toMatchObject({ status, body: { statusCode: status, error: code } });
  else expect(answer(res)).toMatchObject({ status, body: { status: 'failed', error: { code } } });
}

/**
 * Equal lists, compared entry by entry; a failure shows the lengths, how many entries hold a
 * replacement character (U+FFFD) and the first few differences, not thousands of lines.
 */
function expectSameList<T>(stored: T[], sent: T[]): void {
  const firstDifferences: { index: number; stored: T; sent: T }[] = [];
  for (let i = 0; i < Math.max(stored.length, sent.length) && firstDifferences.length < 5; i++)
    if (JSON.stringify(stored[i]) !== JSON.stringify(sent[i])) firstDifferences.push({ index: i, stored: stored[i], sent: sent[i] });
  const garbled = stored.filter((x) => JSON.stringify(x).includes('\uFFFD')).length;
  expect({ length: stored.length, garbled, firstDifferences }).toEqual({ length: sent.length, garbled: 0, firstDifferences: [] });
}

/** The body sent in `chunkSize`-byte chunks splits some of its Chinese characters (else the test proves nothing). */
function expectSplits(body: Buffer, chunkSize: number): void {
  expect(splitCharacters(body, chunkSize)).toBeGreaterThan(0);
}

// ---- bodies ---------------------------------------------------------------------------------

interface HospitalRow {
  code: string;
  name: string;
  region: string;
  level: string;
  bonuses: string[];
}
const hospitals = (prefix: string, region: string, n: number): HospitalRow[] =>
  Array.from({ length: n }, (_, i) => ({
    code: `${prefix}${pad(i + 1)}`,
    name: `第${i + 1}人民医院`,
    region,
    level: i % 2 ? 'L2A_GENERAL' : 'L1',
    bonuses: i % 3 ? [] : ['tcm'],
  }));
const hospitalsCsv = (rows: HospitalRow[]) =>
  `code,name,region,level,bonuses\n${rows.map((h) => [h.code, h.name, h.region, h.level, h.bonuses.join('|')].join(',')).join('\n')}\n`;

/** `CODE NAME` lines of a diagnosis table (K80.100x0001 …) or a procedure table (51.2300x0001 …). */
const diagnosisTable = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ code: `K80.100x${pad(i + 1)}`, value: `胆囊结石伴急性胆囊炎（第${i + 1}型）` }));
const procedureTable = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ code: `51.2300x${pad(i + 1)}`, value: `腹腔镜下胆囊切除术·第${i + 1}式` }));
const tableText = (entries: { code: string; value: string }[]) => entries.map((e) => `${e.code} ${e.value}`).join('\n') + '\n';

/** A catalogue of `n` core groups (K80.1|51.1000 …): about 230 bytes a group as JSON, 60 as CSV. */
function bigCatalogue(n: number, year: number): Catalogue {
  const groups = Array.from({ length: n }, (_, i) => {
    const key = `K80.1|51.${1000 + i}`;
    return {
      code: groupCode({ kind: 'core', key, treatmentType: 'surgery' }),
      key,
      kind: 'core' as const,
      category: 'K80',
      treatmentType: 'surgery' as const,
      procedures: [`51.${1000 + i}`],
      cases: i + 1,
      avgCost: `${10000 + i}.00`,
      score: `${1250 + i}.0000`,
      auxiliary: {},
      flags: [],
    };
  });
  return { ...SAMPLE, year, groups };
}
const withYear = (c: Catalogue, year: number): Catalogue => ({ ...c, year });
/** The exchange JSON document as the export gives it (groups in key order). */
const catalogueDoc = (c: Catalogue, id: string) =>
  JSON.parse(
    JSON.stringify(catalogueToJson({ ...c, groups: [...c.groups].sort((a, b) => (a.key < b.key ? -1 : 1)) }, id, catalogueHash(c))),
  );
/**
 * 3,900 bytes of Chinese text only (three bytes a character), for the fields the import ignores:
 * 1,001-byte chunks then split at least two of its characters.
 */
const LONG_NOTE = '淄博市医疗保障局病种目录库'.repeat(100);
/** The CSV form with a Chinese comment line (`#` lines other than the catalogue's fields are ignored on import). */
const catalogueCsvWithNote = (c: Catalogue, note: string) =>
  catalogueToCsv(c, 'ignored', catalogueHash(c)).replace('#region=', `#note=${note}\n#region=`);

const violations = (year: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    year: String(year),
    pool: i % 2 ? 'resident' : 'employee',
    hospitalCode: 'H001',
    amount: `${100 + i}.50`,
    reason: `第${i + 1}次违规：分解住院，扣减基金${100 + i}.50元`,
  }));
const violationsCsv = (rows: Record<string, string>[]) =>
  `year,pool,hospitalCode,amount,reason\n${rows.map((r) => [r.year, r.pool, r.hospitalCode, r.amount, r.reason].join(',')).join('\n')}\n`;

/** Case ids in Chinese (caseId takes 1–64 printable characters; patientId is a pseudonym and is left alone). */
const caseIds = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `病例${tag}第${i + 1}号`);
const casesCsv = (ids: string[]) => `${CASE_HEADER}\n${ids.map((caseId) => caseLine({ caseId })).join('\n')}\n`;
const casesJsonl = (ids: string[]) => ids.map((caseId) => JSON.stringify(jsonCase({ caseId }))).join('\n') + '\n';

// ---- the client itself ----------------------------------------------------------------------

describe('the chunked upload client', () => {
  it('delivers each piece as its own chunk, and the bytes exactly', async () => {
    const server = createServer((req, res) => {
      const pieces: Buffer[] = [];
      req.on('data', (d: Buffer) => pieces.push(d));
      req.on('end', () => {
        const all = Buffer.concat(pieces);
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify({
            pieces: pieces.length,
            hash: createHash('sha256').update(all).digest('hex'),
            te: req.headers['transfer-encoding'] ?? null,
            cl: req.headers['content-length'] ?? null,
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = utf8(hospitalsCsv(hospitals('Z', '370300', 40)));
      const hash = createHash('sha256').update(body).digest('hex');
      const ones = await sendChunked(port, 'POST', '/', CSV, body, 1);
      expect(ones.body).toMatchObject({ hash, te: 'chunked', cl: null });
      // Nearly every byte arrives on its own (a rare coalesced read is harmless).
      expect(ones.body.pieces).toBeGreaterThan(body.length * 0.9);
      const big = await sendChunked(port, 'POST', '/', CSV, body, 1001);
      expect(big.body).toMatchObject({ hash, pieces: Math.ceil(body.length / 1001) });
      const whole = await sendWithLength(port, 'PUT', '/', CSV, body);
      expect(whole.body).toMatchObject({ hash, te: null, cl: String(body.length) });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('GBK test bytes are GBK, not UTF-8', () => {
    expect(gbk('第一')).toEqual(Buffer.from([0xb5, 0xda, 0xd2, 0xbb]));
    expect(isUtf8(gbk('code,name\nG1,第一人民医院\n'))).toBe(false);
  });
});

// ---- the service ----------------------------------------------------------------------------

describeEngines('uploads through the byte gate on %s', (engine) => {
  /** Default limit (1 GiB). */
  let t: TestApp;
  /** MAX_UPLOAD_BYTES = LIMIT. */
  let small: TestApp;
  let port = 0;
  let smallPort = 0;
  /** Region of the code-table tests (its own, so that tables never touch the cases of 370300). */
  const CODES_REGION = '370500';

  async function listening(a: TestApp): Promise<number> {
    await a.app.listen(0, '127.0.0.1');
    return (a.app.getHttpServer().address() as AddressInfo).port;
  }
  /** The code-table region's agency user, by app. */
  const codesAgency = new Map<TestApp, string>();
  /** Registers the test hospitals (370300) and HCT of the code-table region, each by its region's agency user. */
  async function prepare(a: TestApp, appPort: number): Promise<void> {
    expect((await a.http().post('/api/v1/hospitals').send(TEST_HOSPITALS)).status).toBe(201);
    const token = await a.login({ role: 'agency', region: CODES_REGION });
    codesAgency.set(a, token);
    expect(
      (
        await a
          .http(token)
          .post('/api/v1/hospitals')
          .send({ code: 'HCT', name: '编码表医院', region: CODES_REGION, level: 'L1', bonuses: [] })
      ).status,
    ).toBe(201);
    authorize(appPort, a.token);
    authorize(appPort, token, `/api/v1/regions/${CODES_REGION}/`);
  }

  beforeAll(async () => {
    // New regions without the shipped code tables: 33,000 rows a region would only slow this down.
    t = await startTestApp(engine, 'e2e_uploads', { DEFAULT_CODE_TABLES: 'none' });
    small = await startTestApp(engine, 'e2e_uploads_limit', { DEFAULT_CODE_TABLES: 'none', MAX_UPLOAD_BYTES: String(LIMIT) });
    port = await listening(t);
    smallPort = await listening(small);
    await prepare(t, port);
    await prepare(small, smallPort);
  });
  afterAll(async () => {
    await t?.close();
    await small?.close();
  });

  const count = async (a: TestApp, sql: string, params: SqlParam[] = []) => Number((await a.db.execute(sql, params)).rows[0].n);

  describe('hospitals', () => {
    /** The hospitals of the agency user's region (370300) whose code starts with `prefix`. */
    const storedNames = async (a: TestApp, prefix: string) => {
      const res = await a.http().get('/api/v1/hospitals');
      expect(res.status).toBe(200);
      return res.body.filter((h: HospitalRow) => h.code.startsWith(prefix)).map((h: HospitalRow) => [h.code, h.name, h.level, h.bonuses]);
    };
    const expected = (rows: HospitalRow[]) => rows.map((h) => [h.code, h.name, h.level, h.bonuses]);

    it.each([
      ['CSV', 1, 'A', '370300', 100],
      ['CSV', 1001, 'B', '370300', 3000],
      ['JSON', 1, 'C', '370300', 50],
      ['JSON', 1001, 'D', '370300', 1000],
    ] as const)('%s in %i-byte chunks: every Chinese name is stored exactly', async (format, chunkSize, prefix, region, n) => {
      const rows = hospitals(prefix, region, n);
      const body = utf8(format === 'CSV' ? hospitalsCsv(rows) : JSON.stringify(rows));
      expectSplits(body, chunkSize);
      const path = format === 'CSV' ? '/api/v1/hospitals/import' : '/api/v1/hospitals';
      const res = await sendChunked(port, 'POST', path, format === 'CSV' ? CSV : JSON_TYPE, body, chunkSize);
      expect(answer(res)).toEqual({ status: 201, body: { created: n, updated: 0, unchanged: 0 } });
      expectSameList(await storedNames(t, prefix), expected(rows));
    });

    it('a GBK file (CSV or JSON) is a 415 encoding error, and nothing is stored', async () => {
      const csv = await sendWithLength(
        port,
        'POST',
        '/api/v1/hospitals/import',
        CSV,
        gbk('code,name,region,level,bonuses\nG001,第一人民医院,370300,L1,\n'),
      );
      expectRefused(csv, 415, 'encoding');
      const json = await sendWithLength(
        port,
        'POST',
        '/api/v1/hospitals',
        JSON_TYPE,
        gbk('[{"code":"G002","name":"第一人民医院","region":"370300","level":"L1","bonuses":[]}]'),
      );
      expectRefused(json, 415, 'encoding');
      const chunked = await sendChunked(
        port,
        'POST',
        '/api/v1/hospitals/import',
        CSV,
        gbk('code,name,region,level,bonuses\nG003,人民医院,370300,L1,\n'),
        7,
      );
      expectRefused(chunked, 415, 'encoding');
      expect(await storedNames(t, 'G')).toEqual([]);
    });

    it(`a body over MAX_UPLOAD_BYTES (${LIMIT}) is a 413 with or without Content-Length, and nothing is stored`, async () => {
      const rows = hospitals('L', '370300', 1000);
      const csv = utf8(hospitalsCsv(rows));
      const json = utf8(JSON.stringify(rows));
      expect(csv.length).toBeGreaterThan(LIMIT);
      expectRefused(await sendWithLength(smallPort, 'POST', '/api/v1/hospitals/import', CSV, csv), 413, 'too-large');
      expectRefused(await sendChunked(smallPort, 'POST', '/api/v1/hospitals/import', CSV, csv, 1001), 413, 'too-large');
      expectRefused(await sendWithLength(smallPort, 'POST', '/api/v1/hospitals', JSON_TYPE, json), 413, 'too-large');
      expectRefused(await sendChunked(smallPort, 'POST', '/api/v1/hospitals', JSON_TYPE, json, 1001), 413, 'too-large');
      expect(await storedNames(small, 'L')).toEqual([]);
    });
  });

  describe('code tables', () => {
    const path = (kind: string) => `/api/v1/regions/${CODES_REGION}/code-tables/${kind}`;
    const entries = async (a: TestApp, kind: string) => {
      const { rows } = await a.db.execute('SELECT code, value FROM code_entry WHERE region_code = ? AND kind = ? ORDER BY code', [
        CODES_REGION,
        kind,
      ]);
      return rows.map((r) => ({ code: String(r.code), value: String(r.value) }));
    };

    it.each([
      ['diagnosis', 1, 100],
      ['procedure', 1001, 3000],
    ] as const)('a %s table in %i-byte chunks: every name is stored exactly', async (kind, chunkSize, n) => {
      const table = kind === 'diagnosis' ? diagnosisTable(n) : procedureTable(n);
      const body = utf8(tableText(table));
      expectSplits(body, chunkSize);
      const res = await sendChunked(port, 'PUT', path(kind), 'text/plain', body, chunkSize);
      expect(answer(res)).toMatchObject({
        status: 200,
        body: { region: CODES_REGION, kind, entries: n, contentHash: createHash('sha256').update(body).digest('hex') },
      });
      expectSameList(await entries(t, kind), table);
    });

    it('a GBK table is a 415 encoding error, and the loaded table stays as it was', async () => {
      const loaded = diagnosisTable(3);
      const first = await sendWithLength(port, 'PUT', path('diagnosis'), 'text/plain', utf8(tableText(loaded)));
      expect(answer(first)).toMatchObject({ status: 200, body: { entries: 3 } });
      const gbkTable = gbk('K80.100 胆囊结石\nK81.000 第一中心\n');
      expectRefused(await sendWithLength(port, 'PUT', path('diagnosis'), 'text/plain', gbkTable), 415, 'encoding');
      expectRefused(await sendChunked(port, 'PUT', path('diagnosis'), 'text/plain', gbkTable, 5), 415, 'encoding');
      expect(await entries(t, 'diagnosis')).toEqual(loaded);
      const list = await t.http(codesAgency.get(t)).get(`/api/v1/regions/${CODES_REGION}/code-tables`);
      expect(list.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'diagnosis', entries: 3, contentHash: first.body.contentHash })]),
      );
    });

    it(`a table over MAX_UPLOAD_BYTES (${LIMIT}) is a 413 with or without Content-Length, and nothing is loaded`, async () => {
      // The region may already hold tables (the shipped ones): they must stay exactly as they are.
      const tables = async () =>
        (
          await small.db.execute('SELECT kind, content_hash, entries FROM code_table WHERE region_code = ? ORDER BY kind', [CODES_REGION])
        ).rows.map((r) => [String(r.kind), String(r.content_hash), Number(r.entries)]);
      const before = {
        tables: await tables(),
        entries: await count(small, 'SELECT COUNT(*) AS n FROM code_entry WHERE region_code = ?', [CODES_REGION]),
      };
      const body = utf8(tableText(diagnosisTable(1000)));
      expect(body.length).toBeGreaterThan(LIMIT);
      expectRefused(await sendWithLength(smallPort, 'PUT', path('diagnosis'), 'text/plain', body), 413, 'too-large');
      expectRefused(await sendChunked(smallPort, 'PUT', path('diagnosis'), 'text/plain', body, 1001), 413, 'too-large');
      expect({
        tables: await tables(),
        entries: await count(small, 'SELECT COUNT(*) AS n FROM code_entry WHERE region_code = ?', [CODES_REGION]),
      }).toEqual(before);
      expect((await entries(small, 'diagnosis')).filter((e) => e.code.startsWith('K80.100x'))).toEqual([]);
    });
  });

  // The exchange format has no free-text field (codes, keys, enums and decimals only): the
  // round trips check the content hash and the export; Chinese text only rides along where the
  // import ignores it (a `#note=` line of the CSV form, the `id` of the JSON form).
  describe('catalogues', () => {
    const catalogues = (a: TestApp, year?: number) =>
      year === undefined
        ? count(a, 'SELECT COUNT(*) AS n FROM catalogue')
        : count(a, 'SELECT COUNT(*) AS n FROM catalogue WHERE year = ?', [year]);

    it.each([
      ['CSV', 1, 2024, 4],
      ['JSON', 1, 2023, 4],
      ['CSV', 1001, 2026, 300],
      ['JSON', 1001, 2025, 300],
    ] as const)('%s in %i-byte chunks imports the catalogue exactly (same hash, same export)', async (format, chunkSize, year, groups) => {
      const c = groups === SAMPLE.groups.length ? withYear(SAMPLE, year) : bigCatalogue(groups, year);
      const hash = catalogueHash(c);
      // The Chinese text is in what the import ignores: a `#note=` line of the CSV, the id of the JSON.
      const body = utf8(format === 'CSV' ? catalogueCsvWithNote(c, LONG_NOTE) : JSON.stringify(catalogueToJson(c, LONG_NOTE, hash)));
      expectSplits(body, chunkSize);
      const res = await sendChunked(port, 'POST', '/api/v1/catalogs/import', format === 'CSV' ? CSV : JSON_TYPE, body, chunkSize);
      expect(answer(res)).toMatchObject({ status: 201, body: { created: true, hash, groups } });
      const exported = await t.http().get(`/api/v1/catalogs/${res.body.catalogueId}/export`);
      expect(exported.status).toBe(200);
      expect(exported.body).toEqual(catalogueDoc(c, res.body.catalogueId));
    });

    it('a GBK file (CSV or JSON) is a 415 encoding error, and nothing is stored', async () => {
      const c = withYear(SAMPLE, 2030);
      // The catalogue with a note line in GBK (the rest of the file is ASCII).
      const [head, tail] = catalogueToCsv(c, 'ignored', catalogueHash(c)).split('#region=');
      const csvFile = Buffer.concat([utf8(`${head}#note=`), gbk('第一人民医院'), utf8(`\n#region=${tail}`)]);
      expect(isUtf8(csvFile)).toBe(false);
      expectRefused(await sendWithLength(port, 'POST', '/api/v1/catalogs/import', CSV, csvFile), 415, 'encoding');
      expectRefused(await sendChunked(port, 'POST', '/api/v1/catalogs/import', CSV, csvFile, 64), 415, 'encoding');
      // JSON: the (ignored) id is GBK text.
      const d = withYear(SAMPLE, 2031);
      const [before, after] = JSON.stringify(catalogueToJson(d, '@@', catalogueHash(d))).split('@@');
      const json = Buffer.concat([utf8(before), gbk('第一人民医院'), utf8(after)]);
      expectRefused(await sendWithLength(port, 'POST', '/api/v1/catalogs/import', JSON_TYPE, json), 415, 'encoding');
      expect(await catalogues(t, 2030)).toBe(0);
      expect(await catalogues(t, 2031)).toBe(0);
    });

    it(`a catalogue over MAX_UPLOAD_BYTES (${LIMIT}) is a 413 with or without Content-Length, and nothing is stored`, async () => {
      const c = bigCatalogue(400, 2032);
      const csv = utf8(catalogueToCsv(c, 'ignored', catalogueHash(c)));
      const json = utf8(JSON.stringify(catalogueToJson(c, 'ignored', catalogueHash(c))));
      expect(csv.length).toBeGreaterThan(LIMIT);
      expectRefused(await sendWithLength(smallPort, 'POST', '/api/v1/catalogs/import', CSV, csv), 413, 'too-large');
      expectRefused(await sendChunked(smallPort, 'POST', '/api/v1/catalogs/import', CSV, csv, 1001), 413, 'too-large');
      expectRefused(await sendWithLength(smallPort, 'POST', '/api/v1/catalogs/import', JSON_TYPE, json), 413, 'too-large');
      expectRefused(await sendChunked(smallPort, 'POST', '/api/v1/catalogs/import', JSON_TYPE, json, 1001), 413, 'too-large');
      expect(await catalogues(small)).toBe(0);
    });
  });

  describe('settlement records (violations, with a Chinese reason)', () => {
    const reasons = async (a: TestApp, year: number) => {
      const { rows } = await a.db.execute('SELECT hospital_code, pool, reason FROM violation_deduction WHERE year = ? ORDER BY id', [year]);
      return rows.map((r) => [String(r.hospital_code), String(r.pool), String(r.reason)]);
    };

    it.each([
      ['CSV', 1, 2001, 30],
      ['CSV', 1001, 2002, 1000],
      ['JSON', 1, 2003, 30],
      ['JSON', 1001, 2004, 1000],
    ] as const)('%s in %i-byte chunks: every reason is stored exactly', async (format, chunkSize, year, n) => {
      const rows = violations(year, n);
      const body = utf8(format === 'CSV' ? violationsCsv(rows) : JSON.stringify(rows));
      expectSplits(body, chunkSize);
      const res = await sendChunked(
        port,
        'POST',
        '/api/v1/settlement-records/violation',
        format === 'CSV' ? CSV : JSON_TYPE,
        body,
        chunkSize,
      );
      expect(answer(res)).toEqual({ status: 201, body: { kind: 'violation', recorded: n } });
      expectSameList(
        await reasons(t, year),
        rows.map((r) => [r.hospitalCode, r.pool, r.reason]),
      );
    });

    it('a GBK file (CSV or JSON) is a 415 encoding error, and nothing is recorded', async () => {
      const csv = gbk('year,pool,hospitalCode,amount,reason\n2005,employee,H001,100.00,第一人民医院违规\n');
      expectRefused(await sendWithLength(port, 'POST', '/api/v1/settlement-records/violation', CSV, csv), 415, 'encoding');
      expectRefused(await sendChunked(port, 'POST', '/api/v1/settlement-records/violation', CSV, csv, 10), 415, 'encoding');
      const json = gbk('[{"year":"2005","pool":"employee","hospitalCode":"H001","amount":"100.00","reason":"第一人民医院违规"}]');
      expectRefused(await sendWithLength(port, 'POST', '/api/v1/settlement-records/violation', JSON_TYPE, json), 415, 'encoding');
      expect(await reasons(t, 2005)).toEqual([]);
    });

    it(`records over MAX_UPLOAD_BYTES (${LIMIT}) are a 413 with or without Content-Length, and nothing is recorded`, async () => {
      const rows = violations(2006, 1000);
      const csv = utf8(violationsCsv(rows));
      const json = utf8(JSON.stringify(rows));
      expect(csv.length).toBeGreaterThan(LIMIT);
      expectRefused(await sendWithLength(smallPort, 'POST', '/api/v1/settlement-records/violation', CSV, csv), 413, 'too-large');
      expectRefused(await sendChunked(smallPort, 'POST', '/api/v1/settlement-records/violation', CSV, csv, 1001), 413, 'too-large');
      expectRefused(await sendWithLength(smallPort, 'POST', '/api/v1/settlement-records/violation', JSON_TYPE, json), 413, 'too-large');
      expectRefused(await sendChunked(smallPort, 'POST', '/api/v1/settlement-records/violation', JSON_TYPE, json, 1001), 413, 'too-large');
      expect(await count(small, 'SELECT COUNT(*) AS n FROM violation_deduction')).toBe(0);
    });
  });

  describe('case import (Chinese case ids)', () => {
    it.each([
      ['CSV', 1, '甲', 20],
      ['CSV', 1001, '乙', 500],
      ['JSON lines', 1, '丙', 20],
      ['JSON lines', 1001, '丁', 500],
    ] as const)('%s in %i-byte chunks: every case id is stored exactly', async (format, chunkSize, tag, n) => {
      const ids = caseIds(tag, n);
      const body = utf8(format === 'CSV' ? casesCsv(ids) : casesJsonl(ids));
      expectSplits(body, chunkSize);
      const res = await sendChunked(port, 'POST', '/api/v1/cases/import', format === 'CSV' ? CSV : 'application/x-ndjson', body, chunkSize);
      expect(answer(res)).toMatchObject({
        status: 201,
        body: { status: 'committed', error: null, counts: { read: n, inserted: n, rejected: 0 } },
      });
      expect(res.body.bytes).toEqual({ read: body.length, expected: null });
      expect(res.body.contentHash).toBe(createHash('sha256').update(body).digest('hex'));
      expectSameList(sortedStrings(await storedIds(t, `病例${tag}`)), sortedStrings(ids));
    });

    it('a GBK file is a 415 encoding error, and nothing is stored', async () => {
      const total = (await storedIds(t)).length;
      // A CSV whose case ids are GBK: 病例第一号, 病例号.
      const lines = ['病例第一号', '病例号'].map((id) => Buffer.concat([gbk(id), utf8(`${caseLine({ caseId: '' })}\n`)]));
      const gbkCsv = Buffer.concat([utf8(`${CASE_HEADER}\n`), ...lines]);
      expect(isUtf8(gbkCsv)).toBe(false);
      expectCaseImportRefused(await sendWithLength(port, 'POST', '/api/v1/cases/import', CSV, gbkCsv), 415, 'encoding');
      expectCaseImportRefused(await sendChunked(port, 'POST', '/api/v1/cases/import', CSV, gbkCsv, 3), 415, 'encoding');
      const [before, after] = JSON.stringify(jsonCase({ caseId: '@@' })).split('@@');
      const gbkJsonl = Buffer.concat([utf8(before), gbk('病例第一号'), utf8(`${after}\n`)]);
      expectCaseImportRefused(
        await sendWithLength(port, 'POST', '/api/v1/cases/import', 'application/x-ndjson', gbkJsonl),
        415,
        'encoding',
      );
      expect((await storedIds(t)).length).toBe(total);
    });

    it(`a file over MAX_UPLOAD_BYTES (${LIMIT}) is a 413 with or without Content-Length, and nothing is stored`, async () => {
      const body = utf8(casesCsv(caseIds('大', 150)));
      expect(body.length).toBeGreaterThan(LIMIT);
      expectCaseImportRefused(await sendWithLength(smallPort, 'POST', '/api/v1/cases/import', CSV, body), 413, 'too-large', true);
      expectCaseImportRefused(await sendChunked(smallPort, 'POST', '/api/v1/cases/import', CSV, body, 1001), 413, 'too-large');
      expect(await storedIds(small)).toEqual([]);
    });
  });
});
