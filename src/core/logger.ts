/** Structured logs (pino) to stderr with --debug; silent otherwise. Never given a token. */
import {pino, type Logger} from 'pino'

/** A pino logger writing JSON lines to stderr at debug level, or a silent one. */
export function createLogger(debug: boolean): Logger {
  return pino(
    {level: debug ? 'debug' : 'silent', base: {name: 'crmsync'}, redact: {paths: ['accessToken', '*.accessToken', 'authorization', '*.authorization', 'headers.authorization'], censor: '[redacted]'}},
    pino.destination({fd: 2, sync: true}),
  )
}
