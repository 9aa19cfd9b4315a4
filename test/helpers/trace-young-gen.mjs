// `node --import ./trace-young-gen.mjs`: sample the size of V8's young generation (new space) every
// 5 ms of the process's life and write the largest, in MB, to the file named by CRMSYNC_TRACE_HEAP
// when the process exits. Used by test/e2e/sync-memory.test.ts.
import {writeFileSync} from 'node:fs'
import v8 from 'node:v8'

const file = process.env.CRMSYNC_TRACE_HEAP
if (file) {
  const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576
  let max = newSpace()
  setInterval(() => (max = Math.max(max, newSpace())), 5).unref()
  process.on('exit', () => writeFileSync(file, JSON.stringify({maxNewSpaceMb: Math.max(max, newSpace())})))
}
