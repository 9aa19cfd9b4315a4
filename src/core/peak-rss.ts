/**
 * This process's peak resident memory, in MB. On Linux it is VmHWM from /proc/self/status: the
 * high-water mark of this process's own memory since it started. `process.resourceUsage().maxRSS`
 * (getrusage) is not that for a spawned child: Linux carries the parent's RSS at the fork over the
 * exec, so a `crmsync sync` started by a parent of 126 MB reported 126 MB whatever it used itself
 * (the sync bench's 100k run, spawned after its 1M emulator had grown). Elsewhere maxRSS is used.
 */
import {readFileSync} from 'node:fs'

export function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Math.round(Number(m[1]) / 1024)
  } catch {
    // not Linux: getrusage below
  }
  return Math.round(process.resourceUsage().maxRSS / 1024)
}
