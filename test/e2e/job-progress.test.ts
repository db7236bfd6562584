import './quiet-logs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CaseImportService } from '../../src/cases/case-import.service';
import { CatalogueService } from '../../src/catalogue/catalogue.service';
import { CASE_FIELDS } from '../../src/domain/case-record';
import { GroupingService } from '../../src/grouping/grouping.service';
import { HospitalsService } from '../../src/hospitals/hospitals.service';
import { JobProgress } from '../../src/jobs/jobs.service';
import { PoliciesService } from '../../src/policies/policies.service';
import { SettlementService } from '../../src/settlement/settlement.service';
import { generateCases, generateHospitals } from '../../src/synth';
import { startTestApp, TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { universe } from '../support/generated';
import { dip } from './e2e-helpers';

/**
 * Job progress (issue 11 item 13): GET /api/v1/jobs/:id says the stage, done and total as the
 * work goes, and a finished job its last stage complete (done = total); the totals are the
 * numbers of cases the test stored (counted here from the generated rows, not asked of the
 * service). The CLI draws no bar when standard error is not a terminal.
 */
const REGION = '370300';
const WINDOW = [2021, 2022, 2023];
const PER_YEAR = 4000;
const hospitals = generateHospitals({ seed: 11, region: REGION, count: 30 });
const rowsOf = (year: number) => [...generateCases({ seed: 11, year, cases: PER_YEAR }, universe, hospitals)];
const DISCHARGE = CASE_FIELDS.indexOf('dischargeDate');

/** The stages of each kind of job, in order. */
const STAGES = {
  catalogue: ['aggregating cases', 'building groups', 'budget point value', 'storing'],
  grouping: ['grouping and scoring', 'storing'],
  settlement: ['grouping and scoring', 'storing', 'settling'],
};

interface JobSnapshot {
  status: string;
  stage: string | null;
  progress: { done: number; total: number | null };
  result: Record<string, any> | null;
  error: unknown;
}

/** What breaks monotone progress in a series of records of one job (none: []). */
function backwards(snapshots: JobSnapshot[], stages: string[]): string[] {
  const out: string[] = [];
  let prev: JobSnapshot | null = null;
  for (const s of snapshots) {
    const where = `${s.status} ${s.stage} ${s.progress.done}/${s.progress.total}`;
    if (s.stage !== null && !stages.includes(s.stage)) out.push(`${where}: unknown stage`);
    if (s.progress.done < 0 || (s.progress.total !== null && s.progress.done > s.progress.total)) out.push(`${where}: done out of range`);
    if (prev !== null) {
      const [a, b] = [stages.indexOf(prev.stage ?? ''), stages.indexOf(s.stage ?? '')];
      if (prev.status !== 'running') out.push(`${where}: after ${prev.status}`);
      if (b < a) out.push(`${where}: stage went back from ${prev.stage}`);
      if (a === b && s.progress.done < prev.progress.done) out.push(`${where}: done went back from ${prev.progress.done}`);
      if (a === b && prev.progress.total !== null && s.progress.total !== prev.progress.total)
        out.push(`${where}: total changed from ${prev.progress.total}`);
    }
    prev = s;
  }
  return out;
}

/** A recording observer: every stage with its total as announced, every step. */
function recorder() {
  const stages: { name: string; announced: number | undefined; total: number | undefined; dones: number[] }[] = [];
  const observer: JobProgress = {
    stage: async (name, total) => void stages.push({ name, announced: total, total, dones: [] }),
    advance: async (done, total) => {
      const s = stages[stages.length - 1];
      s.dones.push(done);
      if (total !== undefined) s.total = total;
    },
  };
  /** Per stage: its name, the total it announced, its final total, its last step, whether its steps only grew. */
  const summary = () =>
    stages.map((s) => ({
      name: s.name,
      announced: s.announced,
      total: s.total,
      last: s.dones[s.dones.length - 1],
      growing: s.dones.every((d, i) => i === 0 || d >= s.dones[i - 1]),
    }));
  return { observer, summary };
}

describeEngines('job progress over HTTP and in the CLI on %s', (engine) => {
  let t: TestApp;
  let dir: string;
  const http = () => t.http();
  /** The numbers of cases stored, counted from the generated rows. */
  const stored = { window: 0, year2024: 0, march2024: 0 };

  beforeAll(async () => {
    t = await startTestApp(engine, 'e2e_progress');
    dir = mkdtempSync(join(tmpdir(), 'dip-progress-'));
    await t.app.get(HospitalsService).upsert(
      hospitals.map((h) => ({ ...h })),
      'tester',
    );
    // The shipped policy with a budget (a settlement needs one), stored before the build uses it.
    const policy = JSON.parse(readFileSync(resolve(__dirname, '../../catalogs/policies/370300-2024.json'), 'utf8'));
    policy.budget = { employee: { dipBudget: '36000000.00' }, resident: { dipBudget: '12000000.00' } };
    await t.app.get(PoliciesService).resolve(REGION, 2024, 'tester', policy);
    for (const year of [...WINDOW, 2024]) {
      const rows = rowsOf(year);
      const csv = [CASE_FIELDS.join(','), ...rows.map((r) => r.join(','))].join('\n');
      const report = await (
        await t.app
          .get(CaseImportService)
          .start(Readable.from([csv]), { format: 'csv', atomic: true, replace: false, source: `${year}`, actor: 'tester' })
      ).done;
      expect(report.status).toBe('committed');
      if (year === 2024) {
        stored.year2024 += rows.length;
        stored.march2024 += rows.filter((r) => r[DISCHARGE].startsWith('2024-03')).length;
      } else stored.window += rows.length;
    }
    expect(stored).toEqual({ window: 3 * PER_YEAR, year2024: PER_YEAR, march2024: expect.any(Number) });
    expect(stored.march2024).toBeGreaterThan(0);
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  /** Polls a job until it ends: every record read, the last one the finished job. */
  async function follow(jobId: string): Promise<{ snapshots: JobSnapshot[]; job: JobSnapshot }> {
    const snapshots: JobSnapshot[] = [];
    for (let i = 0; i < 6000; i++) {
      const res = await http().get(`/api/v1/jobs/${jobId}`);
      expect(res.status).toBe(200);
      snapshots.push(res.body);
      if (res.body.status !== 'running') return { snapshots, job: res.body };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${jobId} still running`);
  }

  it('a catalogue build: its stages advance, and the finished job has its last stage complete', async () => {
    const started = await http().post('/api/v1/catalogs').send({ region: REGION, year: 2024 });
    expect(started.status).toBe(202);
    const { snapshots, job } = await follow(started.body.jobId);
    expect(backwards(snapshots, STAGES.catalogue)).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', stage: 'storing', result: { cases: stored.window } });
    const groups = job.result!.coreGroups + job.result!.compositeGroups;
    expect(groups).toBeGreaterThan(0);
    expect(job.progress).toEqual({ done: groups, total: groups });
    // A stage of the window's cases counted them all (when a record caught it there).
    for (const s of snapshots.filter((x) => x.stage === 'budget point value')) expect(s.progress.total).toBe(stored.window);
    expect((await http().post(`/api/v1/catalogs/${job.result!.catalogueId}/activate`)).status).toBe(200);
  });

  it('a grouping run: the total is the cases of the period, all done when it ends', async () => {
    const started = await http().post('/api/v1/groupings').send({ region: REGION, from: '2024-01', to: '2024-12' });
    expect(started.status).toBe(202);
    const { snapshots, job } = await follow(started.body.jobId);
    expect(backwards(snapshots, STAGES.grouping)).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', stage: 'storing', result: { cases: stored.year2024 } });
    expect(job.progress).toEqual({ done: stored.year2024, total: stored.year2024 });
    for (const s of snapshots.filter((x) => x.stage !== null)) expect(s.progress.total).toBe(stored.year2024);
  });

  it('a monthly settlement: the total is the cases of the month, all done when it ends', async () => {
    const started = await http().post('/api/v1/settlements').send({ region: REGION, kind: 'month', period: '2024-03' });
    expect(started.status).toBe(202);
    const { snapshots, job } = await follow(started.body.id);
    expect(backwards(snapshots, STAGES.settlement)).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', stage: 'settling', result: { settlementId: started.body.id } });
    expect(job.progress).toEqual({ done: stored.march2024, total: stored.march2024 });
    for (const s of snapshots.filter((x) => x.stage !== null)) expect(s.progress.total).toBe(stored.march2024);
    const running = await http().get(`/api/v1/settlements/${started.body.id}`);
    expect(running.body.run).toMatchObject({ status: 'draft' });
  });

  it('while jobs run, their polled records only move forward (stage, then done within it)', async () => {
    // Three grouping runs of the year at once (distinct runs, each its own job), polled together.
    const ids = await Promise.all(
      [0, 1, 2].map(
        async () => (await http().post('/api/v1/groupings').send({ region: REGION, from: '2024-01', to: '2024-12' })).body.jobId,
      ),
    );
    const followed = await Promise.all(ids.map((id: string) => follow(id)));
    for (const { snapshots, job } of followed) {
      expect(backwards(snapshots, STAGES.grouping)).toEqual([]);
      expect(job.progress).toEqual({ done: stored.year2024, total: stored.year2024 });
    }
    // Some record of a running job said where it was (a stage, a total), before the end.
    const during = followed.flatMap(({ snapshots }) => snapshots.filter((s) => s.status === 'running' && s.stage !== null));
    expect(during.length).toBeGreaterThan(0);
  });

  it('tells an observer (the CLI bar) each stage with its total and every step up to it', async () => {
    const build = recorder();
    const outcome = await (await t.app.get(CatalogueService).startBuild(REGION, 2024, undefined, 'tester', build.observer)).done;
    const groups = outcome.coreGroups + outcome.compositeGroups;
    expect(build.summary()).toEqual([
      { name: 'aggregating cases', announced: undefined, total: stored.window, last: stored.window, growing: true },
      { name: 'building groups', announced: undefined, total: groups, last: groups, growing: true },
      { name: 'budget point value', announced: stored.window, total: stored.window, last: stored.window, growing: true },
      { name: 'storing', announced: groups, total: groups, last: groups, growing: true },
    ]);

    const run = recorder();
    await (
      await t.app.get(GroupingService).startRun(REGION, '2024-01', '2024-12', 'tester', undefined, run.observer)
    ).done;
    const year = stored.year2024;
    expect(run.summary()).toEqual([
      { name: 'grouping and scoring', announced: year, total: year, last: year, growing: true },
      { name: 'storing', announced: year, total: year, last: year, growing: true },
    ]);

    const settle = recorder();
    await (
      await t.app.get(SettlementService).start(REGION, 'month', '2024-03', 'tester', settle.observer)
    ).done;
    const month = stored.march2024;
    expect(settle.summary()).toEqual([
      { name: 'grouping and scoring', announced: month, total: month, last: month, growing: true },
      { name: 'storing', announced: month, total: month, last: month, growing: true },
      { name: 'settling', announced: month, total: month, last: month, growing: true },
    ]);
  });

  it('the CLI draws no progress bar when standard error is not a terminal', async () => {
    const runs = [
      ['catalog', 'build', '--region', REGION, '--year', '2024'],
      ['grouping', 'run', '--region', REGION, '--from', '2024-01', '--to', '2024-12'],
      ['settle', 'month', '--region', REGION, '--period', '2024-03', '--out', dir],
    ];
    for (const args of runs) {
      const r = await dip(t, args);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 0, expect.any(String)]);
      // No bar (its blocks), no percentage, no terminal control sequence.
      // eslint-disable-next-line no-control-regex
      expect(r.stderr).not.toMatch(/[█░]|\d+% \||\x1B/);
    }
  });
});
