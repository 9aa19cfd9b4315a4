/** The migration-readiness verdict: thresholds from the mapping's `verdict` section → ready or not, with reasons. */
import type {VerdictConfig} from './mapping/schema.js'
import type {ParityReport, VerdictReason} from '../reports/report-types.js'

/** Decide readiness from a report's totals, entities, errors and performance. */
export function decideVerdict(cfg: VerdictConfig, r: Pick<ParityReport, 'totals' | 'entities' | 'errors' | 'performance'>, errorCount: number, legacyRows: number): ParityReport['verdict'] {
  const reasons: VerdictReason[] = []
  const regressions = r.totals.attribution.new_regression ?? 0
  reasons.push({
    check: 'new_regressions',
    ok: regressions <= cfg.maxNewRegressions,
    actual: regressions,
    threshold: cfg.maxNewRegressions,
    message:
      regressions <= cfg.maxNewRegressions
        ? `${regressions} new regression(s), at most ${cfg.maxNewRegressions} allowed`
        : `${regressions} difference(s) where crmsync disagrees with the source but legacy agrees (at most ${cfg.maxNewRegressions} allowed)`,
  })
  for (const e of r.entities) {
    const max = typeof cfg.maxUnexplainedMismatchRate === 'number' ? cfg.maxUnexplainedMismatchRate : (cfg.maxUnexplainedMismatchRate[e.entity] ?? cfg.maxUnexplainedMismatchRate['*'] ?? 0)
    const ok = e.unexplainedMismatchRate <= max + 1e-12
    reasons.push({
      check: `unexplained_mismatch_rate:${e.entity}`,
      ok,
      actual: round(e.unexplainedMismatchRate),
      threshold: max,
      message: `${e.entity}: ${(e.unexplainedMismatchRate * 100).toFixed(2)}% of records have an unexplained difference (at most ${(max * 100).toFixed(2)}%)`,
    })
  }
  const errorRate = legacyRows === 0 ? (errorCount > 0 ? 1 : 0) : errorCount / legacyRows
  reasons.push({
    check: 'error_rate',
    ok: errorRate <= cfg.maxErrorRate + 1e-12,
    actual: round(errorRate),
    threshold: cfg.maxErrorRate,
    message: `${errorCount} row(s) could not be compared (${(errorRate * 100).toFixed(2)}%, at most ${(cfg.maxErrorRate * 100).toFixed(2)}%)`,
  })
  if (cfg.minPerformanceRatio !== undefined) {
    const ratio = r.performance?.ratio
    reasons.push(
      ratio === undefined
        ? {check: 'performance_ratio', ok: true, actual: 'unknown', threshold: cfg.minPerformanceRatio, message: 'performance not measured (run `crmsync parity run` to time both syncs); not checked'}
        : {
            check: 'performance_ratio',
            ok: ratio >= cfg.minPerformanceRatio,
            actual: round(ratio),
            threshold: cfg.minPerformanceRatio,
            message: `legacy/crmsync wall time ratio ${ratio.toFixed(2)} (at least ${cfg.minPerformanceRatio})`,
          },
    )
  }
  return {ready: reasons.every((x) => x.ok), reasons}
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6
