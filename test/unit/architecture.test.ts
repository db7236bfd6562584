import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The structure ARCHITECTURE.md promises, checked on the source itself: the domain core is pure
 * (no Nest, no TypeORM, no I/O, nothing outside src/domain), and no two modules (top folders of
 * src/) import each other, directly or round a longer cycle.
 */
const SRC = resolve(__dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every import of a file: relative ones resolved to a path under src, others as written. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms), ...text.matchAll(/import\('([^']+)'\)/g)].map(
    (m) => m[1],
  );
  return {
    local: specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s)),
    packages: specs.filter((s) => !s.startsWith('.')),
  };
}

const moduleOf = (path: string): string => relative(SRC, path).split('/')[0].replace(/\.ts$/, '');
const all = files(SRC);

describe('architecture', () => {
  it('finds the source', () => {
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((f) => f.endsWith('domain/engine/batch.ts'))).toBe(true);
  });

  it('keeps the domain core pure: no framework, no database, no file or network I/O, nothing outside src/domain', () => {
    const offences: string[] = [];
    for (const file of all.filter((f) => relative(SRC, f).startsWith('domain/'))) {
      const { local, packages } = importsOf(file);
      for (const l of local)
        if (!relative(SRC, l).startsWith('domain')) offences.push(`${relative(SRC, file)} imports ${relative(SRC, l)}`);
      for (const p of packages)
        if (/^@nestjs|^typeorm|^mysql2|^better-sqlite3|^node:(fs|net|http|https|child_process|worker_threads)|^piscina|^express/.test(p))
          offences.push(`${relative(SRC, file)} imports ${p}`);
    }
    expect(offences).toEqual([]);
  });

  it('has no import cycle between modules (the top folders of src/)', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of all) {
      const from = moduleOf(file);
      for (const l of importsOf(file).local) {
        const to = moduleOf(l);
        if (to !== from) {
          if (!edges.has(from)) edges.set(from, new Set());
          edges.get(from)!.add(to);
        }
      }
    }
    // Depth-first search for a back edge; the cycle found is reported by its modules.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (m: string, path: string[]) => {
      state.set(m, 'open');
      for (const n of edges.get(m) ?? []) {
        if (state.get(n) === 'open') cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
        else if (!state.has(n)) visit(n, [...path, n]);
      }
      state.set(m, 'done');
    };
    for (const m of edges.keys()) if (!state.has(m)) visit(m, [m]);
    expect(cycles).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const graph = new Map(
      all.map((f) => [f.replace(/\.ts$/, ''), importsOf(f).local.map((l) => l.replace(/\.ts$/, '').replace(/\/index$/, '/index'))]),
    );
    const known = (p: string) => (graph.has(p) ? p : graph.has(`${p}/index`) ? `${p}/index` : null);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, path: string[]) => {
      state.set(f, 'open');
      for (const raw of graph.get(f) ?? []) {
        const n = known(raw);
        if (n === null) continue;
        if (state.get(n) === 'open') cycles.push([...path.slice(path.indexOf(n)), n].map((p) => relative(SRC, p)).join(' → '));
        else if (!state.has(n)) visit(n, [...path, n]);
      }
      state.set(f, 'done');
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f, [f]);
    expect(cycles).toEqual([]);
  });
});
