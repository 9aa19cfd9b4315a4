/**
 * What a progress display knows about each stream of a command, fed by the engine's hooks (or by
 * another command's phases): records so far, the approximate total, requests, the phase, and the
 * time, which stops when the stream ends. Renderers only read `view()`.
 */
import type {SyncMode} from '../../core/connector.js'

export interface StreamView {
  stream: string
  state: 'running' | 'waiting' | 'done' | 'failed'
  phase: string | null
  mode: SyncMode | null
  records: number
  /** approximate total (a count the API gave before the stream started), null when unknown */
  total: number | null
  /** 0..100, only with a total */
  percent: number | null
  recordsPerSecond: number
  /** seconds left at the current rate, only with a total and while running */
  etaSeconds: number | null
  requests: number
  /** stops at the stream's end */
  elapsedSeconds: number
  /** seconds until the rate limit lets requests go again, while the stream waits for it */
  rateLimitWaitSeconds: number | null
  /** a phase of a command (no records, requests or rate), not a stream */
  phaseOnly?: boolean
  /** what `records` counts when it is not API records: `rows` of a publish step (no requests) */
  unit?: 'rows'
}

interface Entry {
  phaseOnly: boolean
  unit: 'rows' | null
  stream: string
  startedAt: number
  endedAt: number | null
  failed: boolean
  phase: string | null
  mode: SyncMode | null
  records: number
  total: number | null
  requests: number
}

/** Per stream progress, in the order streams started. `now` is injectable for tests. */
export class ProgressState {
  private readonly entries = new Map<string, Entry>()
  private rateWait: () => number | null = () => null

  constructor(private readonly now: () => number = Date.now) {}

  /** Where the rate-limit wait comes from (epoch ms until which requests are held, or null). */
  watchRateLimit(rateWait: () => number | null): void {
    this.rateWait = rateWait
  }

  /** `startedAt`: when it began, if not now (a stream another process reports on) */
  start(stream: string, info: {mode?: SyncMode | null; estimate?: number | null; phaseOnly?: boolean; unit?: 'rows'; startedAt?: number} = {}): void {
    this.entries.set(stream, {
      phaseOnly: info.phaseOnly === true,
      unit: info.unit ?? null,
      stream,
      startedAt: info.startedAt ?? this.now(),
      endedAt: null,
      failed: false,
      phase: null,
      mode: info.mode ?? null,
      records: 0,
      total: info.estimate ?? null,
      requests: 0,
    })
  }

  /** The stream's mode and approximate total, once known. */
  plan(stream: string, info: {mode: SyncMode; estimate: number | null}): void {
    const e = this.entries.get(stream) ?? this.implicitStart(stream)
    e.mode = info.mode
    e.total = info.estimate
  }

  update(stream: string, info: {records?: number; phase?: string; requests?: number; total?: number | null}): void {
    const e = this.entries.get(stream) ?? this.implicitStart(stream)
    if (info.records !== undefined) e.records = info.records
    if (info.phase !== undefined) e.phase = info.phase
    if (info.requests !== undefined) e.requests = info.requests
    if (info.total !== undefined) e.total = info.total
  }

  /** `at`: when it ended, if not now */
  end(stream: string, info: {records?: number; requests?: number; failed?: boolean; at?: number} = {}): void {
    const e = this.entries.get(stream) ?? this.implicitStart(stream)
    this.update(stream, info)
    e.endedAt = info.at ?? this.now()
    e.failed = info.failed === true
  }

  /** Whether `stream` has started (in this display). */
  has(stream: string): boolean {
    return this.entries.has(stream)
  }

  /** Whether every stream that started has ended. */
  allEnded(): boolean {
    return [...this.entries.values()].every((e) => e.endedAt !== null)
  }

  views(): StreamView[] {
    const now = this.now()
    const until = this.rateWait()
    const wait = until !== null && until > now ? Math.ceil((until - now) / 1000) : null
    return [...this.entries.values()].map((e) => view(e, now, wait))
  }

  private implicitStart(stream: string): Entry {
    this.start(stream)
    return this.entries.get(stream)!
  }
}

function view(e: Entry, now: number, wait: number | null): StreamView {
  const ended = e.endedAt !== null
  const elapsed = ((e.endedAt ?? now) - e.startedAt) / 1000
  const rate = elapsed > 0 ? e.records / elapsed : 0
  const percent = e.total !== null && e.total > 0 ? Math.min(100, Math.floor((e.records / e.total) * 100)) : e.total === 0 && ended ? 100 : null
  const left = e.total !== null ? Math.max(0, e.total - e.records) : null
  const waiting = !ended && wait !== null
  // while the rate limit holds every request, nothing is read before it lifts: the ETA is at least
  // the wait; past the estimate (archived records, records changed during the run) it is unknown
  const eta = !ended && left !== null && left > 0 && rate > 0 ? Math.max(Math.round(left / rate), waiting ? wait : 0) : null
  return {
    stream: e.stream,
    state: ended ? (e.failed ? 'failed' : 'done') : waiting ? 'waiting' : 'running',
    phase: e.phase,
    mode: e.mode,
    records: e.records,
    total: e.total,
    percent,
    recordsPerSecond: Math.round(rate),
    etaSeconds: eta,
    requests: e.requests,
    elapsedSeconds: Math.round(elapsed * 10) / 10,
    rateLimitWaitSeconds: waiting ? wait : null,
    ...(e.phaseOnly ? {phaseOnly: true} : {}),
    ...(e.unit ? {unit: e.unit} : {}),
  }
}
