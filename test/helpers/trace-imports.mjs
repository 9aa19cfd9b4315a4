// `node --import ./trace-imports.mjs`: append every ESM module URL the process resolves to the
// file named by CRMSYNC_TRACE_IMPORTS (used by test/e2e/cli-manifest.test.ts).
import {register} from 'node:module'

register('./trace-imports-hooks.mjs', import.meta.url)
