/**
 * Temporary files that must not outlive their process: removed on Ctrl-C / SIGTERM (then the process
 * exits 130 / 143), and, when a process died without cleaning up (kill -9, a crash), removed by the
 * next run, which finds them by the pid in their name.
 */
import {readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {EXIT} from './errors.js'

/** True while process `pid` exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Remove the entries of `dir` whose name matches `pattern` (its first group is the owner's pid) when
 * that process is gone. Returns the removed paths. Never throws: a sweep must not fail a run.
 */
export function sweepStale(dir: string, pattern: RegExp): string[] {
  const removed: string[] = []
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return removed
  }
  for (const name of names) {
    const m = pattern.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    if (pid === process.pid || pidAlive(pid)) continue
    try {
      rmSync(join(dir, name), {recursive: true, force: true})
      removed.push(join(dir, name))
    } catch {
      // someone else's file, or already gone
    }
  }
  return removed
}

const cleanups = new Set<() => void>()

function onSignal(sig: NodeJS.Signals): void {
  for (const c of [...cleanups]) {
    try {
      c()
    } catch {
      // best effort: the other paths still go
    }
  }
  cleanups.clear()
  process.exit(sig === 'SIGINT' ? EXIT.interrupted : 128 + 15)
}

/**
 * Run `cleanup` (synchronous) if SIGINT or SIGTERM arrives before the returned function is called;
 * the process then exits 130 (SIGINT) or 143 (SIGTERM). For work that cannot stop half-way cleanly
 * otherwise (the parity diff's staging database, a report folder being written).
 */
export function cleanupOnInterrupt(cleanup: () => void): () => void {
  if (cleanups.size === 0) {
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  cleanups.add(cleanup)
  return () => {
    cleanups.delete(cleanup)
    if (cleanups.size === 0) {
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
    }
  }
}

/** The pattern of `<name>.tmp-<pid>` siblings (a file or folder written beside its final name, then renamed). */
export function staleTempOf(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tmp-(\\d+)$`)
}
