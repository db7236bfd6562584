import { ErrorBody } from '../domain/errors';

export const REPORTED_REJECTIONS = 1000;

export interface Rejection {
  /** CSV / JSON lines: the 1-based line; JSON array: the 0-based index. */
  line: number;
  caseId: string | null;
  field: string;
  reason: string;
}

/** What an import did, as the API returns it and the CLI prints it. */
export interface ImportReport {
  batchId: string;
  status: 'running' | 'committed' | 'rejected' | 'failed';
  /** The region an agency user imported for; null for the CLI's imports (any region). */
  region: string | null;
  source: string;
  format: string;
  mode: string;
  replace: boolean;
  contentHash: string | null;
  bytes: { read: number; expected: number | null };
  counts: { read: number; inserted: number; replaced: number; skipped: number; rejected: number };
  /** A file error (`empty`, `encoding`, `header`, `syntax`, `too-large`, `no-rows`), `interrupted` or `internal`. */
  error: ErrorBody | null;
  /** The first rejections, by line; all of them are at /api/v1/imports/:id/rejections. */
  rejections: Rejection[];
  rejectionsTruncated: boolean;
  startedAt: string;
  finishedAt: string | null;
}
