import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {describe, expect, it} from 'vitest'
import {CrmsyncError, UsageError} from '../../src/core/errors.js'
import {serve, toEmulatorOptions} from '../../src/emulator/serve.js'

const dir = mkdtempSync(`${tmpdir()}/crmsync-serve-opts-`)
const base = {portal: dir, port: 0}

describe('serve flag validation (exit 2 with a message naming the flag)', () => {
  it.each([
    [{rateLimit: 'abc'}, /--rate-limit "abc"/],
    [{searchRate: '5 per second'}, /--search-rate/],
    [{dailyLimit: 0}, /--daily-limit/],
    [{port: 70000}, /--port/],
    [{associationPageSize: 0}, /--association-page-size/],
    [{token: ' '}, /--token/],
    [{faults: '5xx:rate=7'}, /probability/],
    [{portal: `${dir}/missing`}, /does not exist/],
    [{log: `${dir}/no-such-folder/requests.ndjson`}, /--log/],
  ])('%j', (over, msg) => {
    const o = {...base, ...over}
    expect(() => toEmulatorOptions(o)).toThrow(UsageError)
    expect(() => toEmulatorOptions(o)).toThrow(msg)
  })

  it('maps valid flags to emulator options', () => {
    expect(toEmulatorOptions({...base, rateLimit: '100/10s', searchRate: '5/s', dailyLimit: 10, faults: 'reset:every=3', denyScopes: ['deals'], retryAfter: false})).toMatchObject({
      portalDir: dir,
      rateLimit: '100/10s',
      searchRate: '5/s',
      dailyLimit: 10,
      faults: 'reset:every=3',
      deniedScopes: ['deals'],
      retryAfter: false,
    })
  })

  it('accepts --rate-limit none (no window; the default without the flag is 190/10s)', () => {
    expect(toEmulatorOptions({...base, rateLimit: 'none'})).toMatchObject({rateLimit: 'none'})
    expect(toEmulatorOptions({...base}).rateLimit).toBeUndefined()
  })

  it('a folder without a manifest or with a corrupt one is a usage error (exit 2)', async () => {
    await expect(serve({...base}, () => {}, Promise.resolve('test'))).rejects.toBeInstanceOf(CrmsyncError)
    await expect(serve({...base}, () => {}, Promise.resolve('test'))).rejects.toMatchObject({exitCode: 2})
    const corrupt = mkdtempSync(`${tmpdir()}/crmsync-serve-corrupt-`)
    writeFileSync(`${corrupt}/manifest.json`, '{not json')
    await expect(serve({...base, portal: corrupt}, () => {}, Promise.resolve('test'))).rejects.toMatchObject({exitCode: 2})
  })
})

describe('stopping while the portal loads', () => {
  it('an aborted load rejects and leaves no temporary folder behind', async () => {
    const {createEmulator} = await import('../../src/emulator/index.js')
    const {memoryPortal} = await import('../../src/emulator/memory-portal.js')
    const {readdirSync} = await import('node:fs')
    const root = mkdtempSync(`${tmpdir()}/crmsync-abort-`)
    const src = memoryPortal({objects: [{name: 'contacts', objectTypeId: '0-1', properties: [], records: []}]})
    async function* many() {
      for (let i = 1; i <= 20_000; i++) yield {id: String(i), properties: {}, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', archived: false}
    }
    const ctl = new AbortController()
    ctl.abort('SIGTERM')
    await expect(createEmulator({portal: {...src, records: () => many()}, signal: ctl.signal, tmpRoot: root})).rejects.toBe('SIGTERM')
    expect(readdirSync(root)).toEqual([])
    const ok = await createEmulator({portal: src, tmpRoot: root})
    expect(readdirSync(root)).toHaveLength(1) // the temp folder really is created there
    ok.close()
    expect(readdirSync(root)).toEqual([])
  })
})
