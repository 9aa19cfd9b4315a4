import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {DEFAULT_BASE_URL} from './objects.js'

/** Where a connection setting came from (shown to the operator; never the token itself). */
export type SettingSource = 'flag' | 'env' | 'config' | 'default'

export interface Connection {
  baseUrl: string
  accessToken: string
  baseUrlSource: SettingSource
  tokenSource: 'env' | 'config'
  /** the config file that was read, if any */
  configFile?: string
}

export interface ConnectionInput {
  /** `--base-url` */
  baseUrl?: string
  /** `--config` */
  config?: string
  env?: NodeJS.ProcessEnv
  /** home folder for the default config path (tests) */
  home?: string
}

interface ConfigFile {
  accessToken?: string
  baseUrl?: string
}

/** Default config path: ~/.config/crmsync/config.json */
export function defaultConfigPath(home = homedir()): string {
  return join(home, '.config', 'crmsync', 'config.json')
}

/**
 * Resolve the base URL and token. Token: HUBSPOT_ACCESS_TOKEN, else the config file
 * (`--config` / CRMSYNC_CONFIG / ~/.config/crmsync/config.json) — never a flag.
 * Base URL: `--base-url` / HUBSPOT_BASE_URL / config file / HubSpot's.
 * Throws UsageError (exit 2) for a missing token, an unreadable named config file, or a bad URL.
 */
export function resolveConnection(input: ConnectionInput = {}): Connection {
  const env = input.env ?? process.env
  const named = input.config ?? nonEmpty(env.CRMSYNC_CONFIG)
  const path = named ?? defaultConfigPath(input.home)
  const file = readConfig(path, named !== undefined)

  const envToken = nonEmpty(env.HUBSPOT_ACCESS_TOKEN)
  const fileToken = nonEmpty(file?.accessToken)
  const accessToken = envToken ?? fileToken
  if (!accessToken) {
    throw new UsageError(
      'no HubSpot access token: HUBSPOT_ACCESS_TOKEN is not set and no config file provides "accessToken"',
      `export HUBSPOT_ACCESS_TOKEN=<private-app token>, or write {"accessToken": "..."} to ${named ?? defaultConfigPath(input.home)} (or a file named by --config / CRMSYNC_CONFIG); tokens are never accepted as flags`,
      'NO_TOKEN',
    )
  }

  let baseUrl = DEFAULT_BASE_URL
  let baseUrlSource: SettingSource = 'default'
  if (nonEmpty(input.baseUrl)) [baseUrl, baseUrlSource] = [input.baseUrl!.trim(), 'flag']
  else if (nonEmpty(env.HUBSPOT_BASE_URL)) [baseUrl, baseUrlSource] = [env.HUBSPOT_BASE_URL!.trim(), 'env']
  else if (nonEmpty(file?.baseUrl)) [baseUrl, baseUrlSource] = [file!.baseUrl!.trim(), 'config']

  const tokenSource = envToken ? 'env' : 'config'
  validateToken(accessToken, tokenSource === 'env' ? 'HUBSPOT_ACCESS_TOKEN' : `"accessToken" in ${path}`)
  return {
    baseUrl: validateBaseUrl(baseUrl, baseUrlSource),
    accessToken,
    baseUrlSource,
    tokenSource,
    configFile: file ? path : undefined,
  }
}

function readConfig(path: string, required: boolean): ConfigFile | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UsageError(
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'pass an existing file with --config or CRMSYNC_CONFIG, or unset them to use the environment',
      'BAD_CONFIG',
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new UsageError(`config file ${path} is not valid JSON`, 'write it as {"accessToken": "...", "baseUrl": "https://api.hubapi.com"}', 'BAD_CONFIG')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`config file ${path} must hold a JSON object`, 'write it as {"accessToken": "...", "baseUrl": "https://api.hubapi.com"}', 'BAD_CONFIG')
  }
  const o = parsed as Record<string, unknown>
  for (const key of ['accessToken', 'baseUrl']) {
    if (o[key] !== undefined && typeof o[key] !== 'string') {
      throw new UsageError(`config file ${path}: "${key}" must be a string`, 'write it as {"accessToken": "...", "baseUrl": "https://api.hubapi.com"}', 'BAD_CONFIG')
    }
  }
  return {accessToken: o.accessToken as string | undefined, baseUrl: o.baseUrl as string | undefined}
}

/**
 * A token is sent in an HTTP header: only visible ASCII (0x21-0x7E) can be. CR, LF, DEL, a space or
 * any other control or non-ASCII character is refused here (exit 2), before any request, and the
 * message never shows the token (undici's invalid-header error would print it in full).
 */
export function validateToken(token: string, where: string): void {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) {
      const what =
        c === 13 ? 'a carriage return (CR)' : c === 10 ? 'a line feed (LF)' : c === 0x7f ? 'a DEL character' : c === 32 ? 'a space' : `the character U+${c.toString(16).toUpperCase().padStart(4, '0')}`
      throw new UsageError(
        `the HubSpot access token from ${where} contains ${what} at position ${i + 1} of ${token.length}; a token is visible ASCII only (the token is not shown)`,
        `copy the private-app token again (Settings > Integrations > Private Apps > your app > Auth) into ${where}, without line breaks or other invisible characters`,
        'BAD_TOKEN',
      )
    }
  }
}

function validateBaseUrl(raw: string, source: SettingSource): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    // never echo it: a value that is not a URL may be the token put in the wrong variable
    throw new UsageError(
      `base URL (from ${source}) is not a URL (the value is not shown: it might be a token put in the wrong place)`,
      'use a full URL such as https://api.hubapi.com or http://127.0.0.1:3000',
      'BAD_BASE_URL',
    )
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(
      `base URL (from ${source}) must be http or https, not ${u.protocol.length <= 12 ? u.protocol : 'the scheme given'}`,
      'use a full URL such as https://api.hubapi.com or http://127.0.0.1:3000',
      'BAD_BASE_URL',
    )
  }
  if (u.username || u.password || u.search || u.hash) {
    throw new UsageError(
      `base URL (from ${source}) must not carry credentials, a query or a fragment`,
      'give only scheme, host, port and an optional path; the token goes in HUBSPOT_ACCESS_TOKEN',
      'BAD_BASE_URL',
    )
  }
  return u.toString().replace(/\/+$/, '')
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined
}
