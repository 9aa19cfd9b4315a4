/** Per-connector fixtures for the conformance suite: how to reach a test instance of each CRM. */
import type {ConnectorConfig} from '../../src/core/connector.js'
import {emulator, makePortal, TOKEN} from './sync-harness.js'

export interface ConnectorFixture {
  config: ConnectorConfig
  stop(): Promise<void>
}

/** Every registered connector needs an entry here (the suite fails otherwise). */
export const FIXTURES: Record<string, () => Promise<ConnectorFixture>> = {
  async hubspot() {
    const emu = await emulator(await makePortal({contacts: 30, deals: 10, appointments: 6, divisions: 3, sharedTimestamp: 5, seed: 77}))
    return {config: {baseUrl: emu.url, accessToken: TOKEN}, stop: () => emu.stop()}
  },
}
