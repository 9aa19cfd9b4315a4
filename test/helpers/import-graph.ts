/**
 * The project's import graph, read from the source text (static imports, re-exports and dynamic
 * `import('...')`, comments ignored): which file imports which, folded to the layer folders of
 * docs/architecture.md. Used by test/unit/architecture.test.ts, which also prints the folder graph:
 * `npx vitest run test/unit/architecture.test.ts`.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

export interface ImportEdge {
  from: string
  to: string
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g

export function listSourceFiles(root: string, dirs: string[]): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p)
    }
  }
  for (const d of dirs) walk(join(root, d))
  return out.map((p) => relative(root, p)).sort()
}

/** Strips comments so that an import shown in a comment is not counted. */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
}

export function importsOf(root: string, file: string): string[] {
  const text = stripComments(readFileSync(join(root, file), 'utf8'))
  const out: string[] = []
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3]
    if (!spec || !spec.startsWith('.')) continue
    const target = relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts')
    out.push(target)
  }
  return out
}

/** The layer a file belongs to: `src/<folder>` for src, `commands` for commands. */
export function layerOf(file: string): string {
  const parts = file.split('/')
  if (parts[0] === 'src') return `src/${parts[1]}`
  return parts[0] ?? file
}

export function fileEdges(root: string, dirs = ['src', 'commands']): ImportEdge[] {
  const edges: ImportEdge[] = []
  for (const f of listSourceFiles(root, dirs)) for (const t of importsOf(root, f)) edges.push({from: f, to: t})
  return edges
}

export function layerEdges(edges: ImportEdge[]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>()
  for (const e of edges) {
    const a = layerOf(e.from)
    const b = layerOf(e.to)
    if (a === b) continue
    if (!g.has(a)) g.set(a, new Set())
    g.get(a)!.add(b)
  }
  return g
}

/** Strongly connected components with more than one member (Tarjan). */
export function cycles(g: Map<string, Set<string>>): string[][] {
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const on = new Set<string>()
  const out: string[][] = []
  const nodes = new Set<string>([...g.keys(), ...[...g.values()].flatMap((s) => [...s])])
  const visit = (v: string) => {
    idx.set(v, index)
    low.set(v, index)
    index++
    stack.push(v)
    on.add(v)
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = []
      let w: string
      do {
        w = stack.pop()!
        on.delete(w)
        comp.push(w)
      } while (w !== v)
      if (comp.length > 1) out.push(comp.sort())
    }
  }
  for (const n of nodes) if (!idx.has(n)) visit(n)
  return out
}
