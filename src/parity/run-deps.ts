/** The real parts a parity run uses: the in-process emulator and the parity differ. */
import {startEmulator} from '../emulator/index.js'
import {runParityDiff} from './parity-diff.js'
import type {ParityRunDeps} from './run.js'

/** Emulator on a free loopback port accepting only the run's throwaway token; `runParityDiff`. */
export const defaultRunDeps: ParityRunDeps = {
  async startEmulator(portalDir, token, options) {
    const emu = await startEmulator({portalDir, token, ...options})
    return {url: emu.url, requests: () => emu.stats.requests, stop: () => emu.stop()}
  },
  runDiff: (req) => runParityDiff(req),
}
