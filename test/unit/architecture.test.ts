/**
 * The layer rules of docs/architecture.md, checked on the code as it is. Each rule names the files
 * that break it, so a failure says where to look.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {cycles, fileEdges, layerEdges, layerOf, listSourceFiles, stripComments} from '../helpers/import-graph.js'

const root = join(import.meta.dirname, '..', '..')
const edges = fileEdges(root)
const graph = layerEdges(edges)

function crossing(fromLayer: string, allowed: string[]): string[] {
  return edges.filter((e) => layerOf(e.from) === fromLayer && layerOf(e.to) !== fromLayer && !allowed.includes(layerOf(e.to))).map((e) => `${e.from} -> ${e.to}`)
}

describe('architecture: one-way layers', () => {
  it('prints the folder graph (for the closing note and for reviewers)', () => {
    const lines = [...graph.entries()].sort().map(([a, bs]) => `${a} -> ${[...bs].sort().join(', ')}`)
    console.log(`folder arrows: ${[...graph.values()].reduce((n, s) => n + s.size, 0)}\n${lines.join('\n')}`)
    expect(lines.length).toBeGreaterThan(0)
  })

  it('has no folder-level import cycle', () => {
    expect(cycles(graph)).toEqual([])
  })

  it('src/core imports no other src folder', () => {
    expect(crossing('src/core', [])).toEqual([])
  })

  it('src/store imports only src/core', () => {
    expect(crossing('src/store', ['src/core'])).toEqual([])
  })

  it('src/emulator imports nothing from src/connectors', () => {
    expect(edges.filter((e) => layerOf(e.from) === 'src/emulator' && layerOf(e.to) === 'src/connectors').map((e) => `${e.from} -> ${e.to}`)).toEqual([])
  })

  it('src/reports imports only src/core', () => {
    expect(crossing('src/reports', ['src/core'])).toEqual([])
  })

  it('no code line in src/core or src/store names HubSpot', () => {
    const offenders: string[] = []
    for (const f of listSourceFiles(root, ['src/core', 'src/store'])) {
      const lines = stripComments(readFileSync(join(root, f), 'utf8')).split('\n')
      lines.forEach((line, i) => {
        if (/hubspot/i.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`)
      })
    }
    expect(offenders).toEqual([])
  })
})
