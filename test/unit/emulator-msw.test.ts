/** The emulator's handlers used in-process with msw's setupServer, scoped to one origin. */
import {setupServer} from 'msw/node'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createEmulator, type InProcessEmulator} from '../../src/emulator/index.js'
import {sampleSource, TOKEN} from './emulator-fixture.js'

const ORIGIN = 'http://hubspot.test'
let emu: InProcessEmulator
let server: ReturnType<typeof setupServer>

beforeAll(async () => {
  emu = await createEmulator({portal: sampleSource(), token: TOKEN, faults: 'reset:every=1,on=properties'}, ORIGIN)
  server = setupServer(...emu.handlers)
  server.listen({onUnhandledRequest: 'error'})
})
afterAll(() => {
  server.close()
  emu.close()
})

describe('setupServer(...emulator.handlers)', () => {
  it('answers fetch calls to its origin', async () => {
    const r = await fetch(`${ORIGIN}/crm/v3/objects/deals?limit=2`, {headers: {authorization: `Bearer ${TOKEN}`}})
    expect(r.status).toBe(200)
    expect(((await r.json()) as {results: Array<{id: string}>}).results.map((x) => x.id)).toEqual(['101', '102'])
  })

  it('turns a reset into a network error', async () => {
    await expect(fetch(`${ORIGIN}/crm/v3/properties/contacts`, {headers: {authorization: `Bearer ${TOKEN}`}})).rejects.toThrow()
  })
})
