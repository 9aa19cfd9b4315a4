/**
 * Every command's help in one format: defaults and environment variables only in oclif's
 * `[default: X, env: Y]` bracket (flag `default`/`defaultHelp` and `env`), never in the prose;
 * `serve --port` shows its default and `parity run --help` describes every config file key.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {RUN_CONFIG_KEYS} from '../../src/parity/run-config.js'
import {crmsync, ROOT} from '../helpers/cli.js'

interface ManifestFlag {
  name: string
  type: 'option' | 'boolean'
  summary?: string
  description?: string
  default?: unknown
  env?: string
  hidden?: boolean
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, ManifestFlag>}>}

describe('help format', () => {
  const flags = Object.entries(manifest.commands).flatMap(([id, c]) =>
    Object.values(c.flags)
      .filter((f) => !f.hidden && f.name !== 'json')
      .map((f) => [id, f] as const),
  )

  it('keeps defaults and environment variables out of the prose of every flag', () => {
    expect(flags.length).toBeGreaterThan(50)
    for (const [id, f] of flags) {
      const text = `${f.summary ?? ''} ${f.description ?? ''}`
      expect(text, `${id} --${f.name}`).not.toMatch(/\(default|\bdefault[: ]|\bDefault\b|if absent/)
      for (const env of text.match(/\b(?:CRMSYNC|HUBSPOT)_[A-Z_]+\b/g) ?? []) expect(f.env, `${id} --${f.name} names ${env}: give it as env`).toBe(env)
    }
  })

  it('shows a default for every option flag that has one, zero included', () => {
    expect(manifest.commands.serve.flags.port.default).toBe('0')
    expect(manifest.commands['sync:all'].flags['base-url'].default).toMatch(/HUBSPOT_BASE_URL.*api\.hubapi\.com/)
  })

  it('serve --help shows the port default; parity run --help describes every config key', async () => {
    const serve = await crmsync(['serve', '--help'])
    expect(serve.stdout).toMatch(/--port=<value>\s+\[default: 0\]/)
    const run = await crmsync(['parity', 'run', '--help'])
    expect(run.stdout).toContain('CONFIG FILE KEYS')
    for (const [section, keys] of Object.entries(RUN_CONFIG_KEYS)) {
      for (const key of keys) expect(run.stdout, `${section ? `${section}.` : ''}${key}`).toMatch(new RegExp(`\\b${key}\\b`))
    }
  })
})
