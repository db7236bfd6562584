import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CODES_DIR } from '../../config/catalogs';
import { CASE_FIELDS } from '../../domain/case-record';
import { parsePolicy } from '../../domain/policy';
import {
  CodeEntry,
  codeUniverseFromTables,
  CodeUniverse,
  generateCases,
  generateHospitals,
  generatePolicy,
  GENERATED_SCHEMES,
  GeneratedScheme,
  generateSchemeData,
  GenerationTally,
  syntheticCodeUniverse,
} from '../../synth';

interface GenerateOptions {
  out: string;
  seed: number;
  cases: number;
  years: number[];
  region: string;
  hospitals: number;
  /** The code-table directory; false (--no-codes) makes codes up in the ICD shape. */
  codes: string | false;
  /** A scheme besides DIP: its demo data set instead of cases. */
  scheme?: GeneratedScheme;
  /** The scheme year (with --scheme; absent: the shipped policy's year). */
  year?: number;
  groups?: number;
  institutions?: number;
  persons?: number;
}

/** The files of a code-table directory (the layout of the shipped catalogs/codes). */
const CODE_FILES = {
  diagnoses: 'icd10-yb2.dat',
  procedures: 'icd9cm3-yb2.dat',
  severeSecondary: 'severe-secondary-dx.txt',
  moderateSecondary: 'moderate-secondary-dx.txt',
} as const;
/** Rows are written in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 16;

const wholeNumber =
  (what: string, min: number, max: number) =>
  (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
      throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
    return Number(text);
  };

/** `2021-2023` or `2021,2022,2023` → sorted distinct years. */
function parseYears(text: string): number[] {
  const year = wholeNumber('a year', 1900, 2999);
  const range = /^(\d{4})-(\d{4})$/.exec(text.trim());
  let years: number[];
  if (range) {
    const [from, to] = [year(range[1]), year(range[2])];
    if (from > to) throw new InvalidArgumentError(`the range ${text} runs backwards.`);
    years = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  } else {
    years = text.split(',').map((y) => year(y.trim()));
  }
  return [...new Set(years)].sort((a, b) => a - b);
}

function parseRegion(text: string): string {
  if (!/^\d{6}$/.test(text)) throw new InvalidArgumentError('the region is a 6-digit code such as 370300.');
  return text;
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const csvLine = (cells: readonly string[]): string => cells.map(csvField).join(',');

async function readLines(dir: string, file: string): Promise<string[]> {
  const text = await readFile(path.join(dir, file), 'utf8');
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** `CODE NAME` lines; the name is everything after the first blank. */
async function readCodeTable(dir: string, file: string): Promise<CodeEntry[]> {
  return (await readLines(dir, file)).map((line) => {
    const blank = line.search(/\s/);
    return blank < 0 ? { code: line, name: '' } : { code: line.slice(0, blank), name: line.slice(blank + 1).trim() };
  });
}

export async function loadCodeUniverse(dir: string): Promise<CodeUniverse> {
  const [diagnoses, procedures, severeSecondary, moderateSecondary] = await Promise.all([
    readCodeTable(dir, CODE_FILES.diagnoses),
    readCodeTable(dir, CODE_FILES.procedures),
    readLines(dir, CODE_FILES.severeSecondary),
    readLines(dir, CODE_FILES.moderateSecondary),
  ]);
  return codeUniverseFromTables({ diagnoses, procedures, severeSecondary, moderateSecondary });
}

/** Streams rows to a CSV file in chunks; the pipeline waits whenever the file falls behind. */
async function writeCsv(
  file: string,
  header: readonly string[],
  rows: Iterable<readonly string[]>,
  onRow: (row: readonly string[]) => void,
): Promise<number> {
  let count = 0;
  function* chunks(): Generator<string> {
    let chunk = `${csvLine(header)}\n`;
    for (const row of rows) {
      onRow(row);
      count++;
      chunk += `${csvLine(row)}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file));
  return count;
}

async function runGenerate(opts: GenerateOptions): Promise<void> {
  const started = process.hrtime.bigint();
  const universe = opts.codes ? await loadCodeUniverse(opts.codes) : syntheticCodeUniverse(opts.seed);
  const hospitals = generateHospitals({ seed: opts.seed, region: opts.region, count: opts.hospitals });
  await mkdir(opts.out, { recursive: true });
  const written: [file: string, rows: number | null][] = [];

  const hospitalFile = path.join(opts.out, 'hospitals.csv');
  await writeFile(
    hospitalFile,
    [
      csvLine(['code', 'name', 'region', 'level', 'bonuses']),
      ...hospitals.map((h) => csvLine([h.code, h.name, h.region, h.level, h.bonuses.join('|')])),
    ].join('\n') + '\n',
  );
  written.push([hospitalFile, hospitals.length]);

  const bar = process.stderr.isTTY
    ? new SingleBar(
        {
          stream: process.stderr,
          format: 'generating {year} [{bar}] {percentage}% | {value}/{total} cases | ETA {eta}s',
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : null;
  bar?.start(opts.cases * opts.years.length, 0, { year: opts.years[0] });
  const tally = new GenerationTally(hospitals, universe.procedureNames);
  try {
    for (const year of opts.years) {
      const file = path.join(opts.out, `cases-${year}.csv`);
      bar?.update({ year });
      const rows = await writeCsv(
        file,
        CASE_FIELDS,
        generateCases({ seed: opts.seed, year, cases: opts.cases }, universe, hospitals),
        (row) => {
          tally.add(row);
          if (bar && tally.cases % 10_000 === 0) bar.update(tally.cases);
        },
      );
      written.push([file, rows]);
    }
  } finally {
    bar?.stop();
  }

  if (tally.cases > 0) {
    const policy = generatePolicy({ region: opts.region, seed: opts.seed }, tally);
    // Checked as it will be loaded, so that a generated file never fails there.
    parsePolicy(policy);
    const policyFile = path.join(opts.out, `policy-${policy.region}-${policy.year}.json`);
    await writeFile(policyFile, `${JSON.stringify(policy, null, 2)}\n`);
    written.push([policyFile, null]);
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const codes = opts.codes ? `code table ${opts.codes}` : 'made-up ICD-shaped codes';
  const lines = [
    `dip generate: seed ${opts.seed}, region ${opts.region}, ${hospitals.length} hospitals, ${opts.cases} cases × ${opts.years.length} year(s), ${codes}`,
    ...written.map(([file, rows]) => `  ${file}${rows === null ? '' : `  ${rows} rows`}`),
    `${tally.cases} cases in ${seconds.toFixed(2)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * `dip generate --scheme S`: the scheme's demo data set (src/synth/schemes.ts), one CSV file per
 * input table and the year's policy. The unit tests hold every generator's output to the tables'
 * kinds and the scheme's run (test/unit/synth-schemes.test.ts, scheme-*.test.ts).
 */
async function runGenerateScheme(scheme: GeneratedScheme, opts: GenerateOptions, regionGiven: boolean): Promise<void> {
  const defaults = GENERATED_SCHEMES[scheme];
  const region = regionGiven ? opts.region : defaults.region;
  const count = opts[defaults.counts] ?? defaults.count;
  const data = generateSchemeData(scheme, { seed: opts.seed, region, year: opts.year ?? defaults.year, count });

  await mkdir(opts.out, { recursive: true });
  const written: string[] = [];
  for (const t of data.tables) {
    const file = path.join(opts.out, `${t.table}.csv`);
    await writeFile(file, t.csv);
    written.push(`  ${file}  ${t.rows} rows`);
  }
  const policyFile = path.join(opts.out, 'policy.json');
  await writeFile(policyFile, `${JSON.stringify(data.policy, null, 2)}\n`);
  written.push(`  ${policyFile}`);
  const lines = [
    `dip generate: ${scheme}, seed ${opts.seed}, region ${region}, year ${data.year}, ${count} ${defaults.counts}`,
    ...written,
    `next: dip scheme policy ${scheme} ${policyFile}; dip scheme import ${scheme} TABLE FILE --region ${region} --year ${data.year} for each table; dip scheme run ${scheme} --region ${region} --year ${data.year}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `dip generate`: deterministic synthetic full-year data (hospitals, cases per year, policy). */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'write deterministic synthetic data: hospitals.csv, cases-<year>.csv and policy-<region>-<year>.json for the year after the last; ' +
        'with --scheme, a demo data set of that scheme instead: <table>.csv for each input table and policy.json',
    )
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .addOption(
      new Option('--seed <n>', 'random seed: the same seed and options give byte-identical files')
        .argParser(wholeNumber('the seed', 0, 2 ** 31 - 1))
        .default(1),
    )
    .addOption(
      new Option('--cases <n>', 'cases (discharges) per year')
        .argParser(wholeNumber('the number of cases', 0, 100_000_000))
        .default(20_000),
    )
    .addOption(
      new Option('--years <list>', 'discharge years, 2021-2023 or 2021,2022,2023')
        .argParser(parseYears)
        .default([2021, 2022, 2023], '2021-2023'),
    )
    .addOption(
      new Option('--region <code>', "6-digit pooling region (with --scheme: the shipped policy's region unless given)")
        .argParser(parseRegion)
        .default('370300'),
    )
    .addOption(
      new Option('--hospitals <n>', 'number of hospitals, spread over the seven levels')
        .argParser(wholeNumber('the number of hospitals', 7, 999))
        .default(130),
    )
    .addOption(
      new Option('--codes <dir>', `code-table directory (${Object.values(CODE_FILES).join(', ')})`).default(
        CODES_DIR,
        'the shipped catalogs/codes',
      ),
    )
    .option('--no-codes', 'make codes up in the ICD shape instead of reading a code table')
    .addOption(
      new Option('--scheme <scheme>', 'a demo data set of a scheme besides DIP instead of cases (see docs/schemes.md)')
        .choices(Object.keys(GENERATED_SCHEMES))
        .conflicts(['cases', 'years', 'hospitals', 'codes']),
    )
    .addOption(
      new Option('--year <year>', "the scheme year (with --scheme; default the shipped policy's year)").argParser(
        wholeNumber('the year', 1903, 2999),
      ),
    )
    .addOption(
      new Option(
        '--groups <n>',
        `medical groups (with --scheme medical-group; default ${GENERATED_SCHEMES['medical-group'].count})`,
      ).argParser(wholeNumber('the number of groups', 1, 99)),
    )
    .addOption(
      new Option(
        '--institutions <n>',
        `institutions with signed persons (with --scheme zibo-budget; default ${GENERATED_SCHEMES['zibo-budget'].count})`,
      ).argParser(wholeNumber('the number of institutions', 2, 999)),
    )
    .addOption(
      new Option(
        '--persons <n>',
        `persons (with --scheme disease-capitation, diabetes-capitation or chronic-package; default ${GENERATED_SCHEMES['disease-capitation'].count})`,
      ).argParser(wholeNumber('the number of persons', 1, 10_000_000)),
    )
    .action(async (opts: GenerateOptions, cmd: Command) => {
      const scheme = opts.scheme;
      // A count option goes with the schemes that count it (GENERATED_SCHEMES[s].counts).
      for (const o of ['groups', 'institutions', 'persons'] as const) {
        const schemes = Object.entries(GENERATED_SCHEMES)
          .filter(([, d]) => d.counts === o)
          .map(([s]) => s);
        if (opts[o] !== undefined && !schemes.includes(scheme ?? ''))
          cmd.error(`error: option '--${o} <n>' goes with --scheme ${schemes.join(' or ')}`);
      }
      if (scheme === undefined && opts.year !== undefined)
        cmd.error("error: option '--year <year>' goes with --scheme (the cases' years are --years)");
      if (scheme === undefined) return runGenerate(opts);
      return runGenerateScheme(scheme, opts, cmd.getOptionValueSource('region') !== 'default');
    });
}
