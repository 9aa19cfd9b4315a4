// Module resolve hook for trace-imports.mjs (runs on the loader thread).
import {appendFileSync} from 'node:fs'

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  if (process.env.CRMSYNC_TRACE_IMPORTS) appendFileSync(process.env.CRMSYNC_TRACE_IMPORTS, result.url + '\n')
  return result
}
