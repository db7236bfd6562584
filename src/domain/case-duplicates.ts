/**
 * Duplicate cases (spec §2): a case is identified by its caseId within its region, and two
 * versions of it by the content hash of the normalised record. The decision, without I/O: the
 * import asks the store what is stored under the caseIds between the two steps.
 */

/** A valid case on its way in: where it came from, its region, id and content hash. */
export interface IncomingCase {
  line: number;
  region: string;
  caseId: string;
  hash: string;
}

/** What is stored under a caseId: a committed case, or a row of this very import. */
export interface StoredVersion {
  hash: string;
  batchId: string;
}

export interface DuplicateRejection {
  line: number;
  caseId: string;
  reason: string;
}

/**
 * Step 1, within the file: the first line of each caseId goes on (grouped by region); a repeat
 * with the same content is skipped, one with different content rejected.
 */
export function firstOfEachCase<T extends IncomingCase>(
  chunk: readonly T[],
): { byRegion: Map<string, T[]>; skipped: number; rejected: DuplicateRejection[] } {
  const first = new Map<string, T>();
  const byRegion = new Map<string, T[]>();
  const rejected: DuplicateRejection[] = [];
  let skipped = 0;
  for (const c of chunk) {
    const key = `${c.region}\u0000${c.caseId}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, c);
      const list = byRegion.get(c.region);
      if (list) list.push(c);
      else byRegion.set(c.region, [c]);
    } else if (earlier.hash === c.hash) skipped++;
    else rejected.push({ line: c.line, caseId: c.caseId, reason: `repeats line ${earlier.line} of this file with different content` });
  }
  return { byRegion, skipped, rejected };
}

/**
 * Step 2, against what is stored: new → insert; same content → skipped; other content stored by
 * an earlier chunk of this import → rejected; other content stored before → replaced when asked,
 * else rejected.
 */
export function decideAgainstStored<T extends IncomingCase>(
  cases: readonly T[],
  stored: ReadonlyMap<string, StoredVersion>,
  batchId: string,
  replace: boolean,
): { inserts: T[]; replacements: T[]; skipped: number; rejected: DuplicateRejection[] } {
  const inserts: T[] = [];
  const replacements: T[] = [];
  const rejected: DuplicateRejection[] = [];
  let skipped = 0;
  for (const c of cases) {
    const old = stored.get(c.caseId);
    if (!old) inserts.push(c);
    else if (old.hash === c.hash) skipped++;
    else if (old.batchId === batchId)
      rejected.push({ line: c.line, caseId: c.caseId, reason: 'repeats an earlier line of this file with different content' });
    else if (replace) replacements.push(c);
    else
      rejected.push({
        line: c.line,
        caseId: c.caseId,
        reason: 'already stored with different content; import with replace to overwrite it',
      });
  }
  return { inserts, replacements, skipped, rejected };
}
