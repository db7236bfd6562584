import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type request from 'supertest';
import { CASE_HEADER, caseLine, TestApp } from '../support/app';

/** A valid case as a JSON object (the fields of caseLine()), with overrides. */
export function jsonCase(over: Record<string, unknown> = {}): Record<string, unknown> {
  const fields = CASE_HEADER.split(',');
  const values = caseLine().split(',');
  const base = Object.fromEntries(fields.map((f, i) => [f, values[i]]));
  return { ...base, ...over };
}

/** A CSV body: the header, then the lines, newline-terminated. */
export const csvBody = (...lines: string[]): string => [CASE_HEADER, ...lines].join('\n') + '\n';

/** Case ids stored in dip_case, sorted. */
export async function storedIds(t: TestApp, prefix = ''): Promise<string[]> {
  const { rows } = await t.db.execute('SELECT case_id FROM dip_case WHERE case_id LIKE ? ORDER BY case_id', [`${prefix}%`]);
  return rows.map((r) => String(r.case_id));
}

export async function countRows(t: TestApp, table: string): Promise<number> {
  const { rows } = await t.db.execute(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** Polls GET /api/v1/imports/:id until the import is no longer running. */
export async function waitForImport(t: TestApp, batchId: string, timeoutMs = 30_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/api/v1/imports/${batchId}`);
    expect(res.status).toBe(200);
    if (res.body.status !== 'running') return res.body;
    if (Date.now() > deadline) throw new Error(`import ${batchId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CLI = resolve(__dirname, '../../dist/cli/main.js');

/** Runs `dip …` (the built CLI) against a test's database: its exit code and what it printed. */
export function dip(t: { env: Record<string, string> }, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...t.env, MIGRATE_ON_START: 'false' };
    if (!t.env.DATABASE_URL) delete env.DATABASE_URL;
    execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** GET /api/v1/settlements/:id, as the default agency user, until the run is no longer running (its report, or its failed job). */
export async function settledRun(t: TestApp, id: string): Promise<request.Response> {
  for (let i = 0; i < 600; i++) {
    const res = await t.http().get(`/api/v1/settlements/${id}`);
    if (res.body.run?.status !== 'running') return res;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`settlement ${id} still running`);
}
