/** Errors of an API call, CRM-neutral: a connector maps its API's error answers onto these. */
import {CrmsyncError, EXIT} from './errors.js'

/** An API call that the CRM answered with an error status; a connector maps its API's error bodies onto it. */
export class ApiError extends CrmsyncError {
  constructor(
    message: string,
    readonly status: number,
    readonly category: string | undefined,
    readonly correlationId: string | undefined,
    options: {suggestion?: string; code?: string} = {},
  ) {
    super(message, {exit: EXIT.failure, code: options.code ?? 'API_ERROR', suggestion: options.suggestion})
    this.name = 'ApiError'
  }
}

/** The portal's daily request allowance is used up; `resumeAt` (ISO time) says when to run again. */
export class DailyLimitError extends CrmsyncError {
  constructor(readonly resumeAt: string) {
    super(`the daily API limit for this account is used up; the run stopped and can resume at ${resumeAt}`, {
      exit: EXIT.failure,
      code: 'DAILY_LIMIT',
      suggestion: `Rerun the same command after ${resumeAt}: it continues from its checkpoint`,
    })
    this.name = 'DailyLimitError'
  }
}

/** Every attempt failed with a retryable error (429, 5xx, network, malformed body). */
export class RetryExhaustedError extends CrmsyncError {
  constructor(
    readonly attempts: number,
    readonly lastError: string,
    readonly lastStatus?: number,
  ) {
    super(`gave up after ${attempts} attempts; last error: ${lastError}`, {
      exit: EXIT.failure,
      code: 'RETRY_EXHAUSTED',
      suggestion: 'the API (or the network) kept failing: check the base URL and the network, then rerun the same command later; syncs and recordings continue from their checkpoints',
    })
    this.name = 'RetryExhaustedError'
  }
}
