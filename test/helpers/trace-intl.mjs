// `node --import ./trace-intl.mjs`: append a line to the file named by CRMSYNC_TRACE_INTL for each
// call that makes V8 load ICU's number or date formatting data (Intl.NumberFormat,
// Intl.DateTimeFormat, toLocaleString and friends), with the first caller frames outside this
// file. The first line ("traced <pid>") shows the hook ran. Used by test/e2e/sync-memory.test.ts.
import {appendFileSync} from 'node:fs'

const file = process.env.CRMSYNC_TRACE_INTL
if (file) {
  appendFileSync(file, `traced ${process.pid}\n`)
  const record = (what) => {
    const frames = (new Error().stack ?? '')
      .split('\n')
      .slice(1)
      .filter((l) => !l.includes('trace-intl.mjs'))
    appendFileSync(file, `${what} ${frames.slice(0, 3).join(' | ')}\n`)
  }
  for (const name of ['NumberFormat', 'DateTimeFormat']) {
    const Original = Intl[name]
    Intl[name] = new Proxy(Original, {
      construct(target, args) {
        record(`Intl.${name}`)
        return new target(...args)
      },
      apply(target, self, args) {
        record(`Intl.${name}`)
        return target(...args)
      },
    })
  }
  const wrap = (proto, method, what) => {
    const original = proto[method]
    proto[method] = function (...args) {
      record(what)
      return original.apply(this, args)
    }
  }
  wrap(Number.prototype, 'toLocaleString', 'Number.prototype.toLocaleString')
  wrap(BigInt.prototype, 'toLocaleString', 'BigInt.prototype.toLocaleString')
  for (const m of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) wrap(Date.prototype, m, `Date.prototype.${m}`)
}
