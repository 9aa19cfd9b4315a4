/** Exit codes every command honours: 0 ok, 1 runtime failure (or "not ready"), 2 usage or input error, 130 stopped by SIGINT/SIGTERM. */
export const EXIT = {ok: 0, failure: 1, usage: 2, interrupted: 130} as const

/**
 * An error meant for the operator: a message naming the problem, a suggestion naming the fix,
 * and an exit code a CI job can gate on. Plain `Error`: the CLI layer (src/cli) turns it into output.
 */
export class CrmsyncError extends Error {
  constructor(
    message: string,
    readonly options: {exit?: number; suggestion?: string; code?: string} = {},
  ) {
    super(message)
    this.name = 'CrmsyncError'
  }

  get exitCode(): number {
    return this.options.exit ?? EXIT.failure
  }
}

/** Usage / input error: exit code 2. */
export class UsageError extends CrmsyncError {
  constructor(message: string, suggestion?: string, code = 'USAGE') {
    super(message, {exit: EXIT.usage, suggestion, code})
    this.name = 'UsageError'
  }
}
