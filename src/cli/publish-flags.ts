import {Flags} from '@oclif/core'
import {parseDuration} from './duration.js'

/** `--to` / `--schema` of `crmsync publish` (a URL may hold a password: prefer the env variable). */
export const publishTargetFlags = {
  to: Flags.string({summary: 'target: postgres://USER@HOST:5432/DB or an existing SQLite file', required: true, env: 'CRMSYNC_PUBLISH_TO', helpValue: 'URL|PATH'}),
  schema: Flags.string({summary: 'publish into a shadow copy: a PostgreSQL schema, or for SQLite the file <target>.NAME<ext>', helpValue: 'NAME'}),
}

const LOCK_WAIT = {
  summary: "when another publisher holds the target's lock, wait up to this long for it, then publish what it did not cover; without it, exit 1 at once",
  env: 'CRMSYNC_PUBLISH_WAIT',
  helpValue: 'DURATION',
}
/** `publish --lock-wait 5m` */
export const lockWaitFlag = Flags.string(LOCK_WAIT)

/** Milliseconds of a --lock-wait / --publish-wait value (absent: 0, no wait). */
export function lockWaitMs(value: string | undefined, flag: string): number {
  return value === undefined ? 0 : parseDuration(value, flag)
}

const MAPPING = {summary: 'mapping file (JSON or YAML): tables, key column, fields, relations, normalizers', helpValue: 'FILE'}
export const mappingFlag = Flags.string(MAPPING)
export const requiredMappingFlag = Flags.string({...MAPPING, required: true})

/** `sync all --publish-to URL --mapping FILE`: publish what changed after a successful sync. */
export const syncPublishFlags = {
  'publish-to': Flags.string({
    summary: 'after a successful sync, publish what changed into this target (postgres:// URL or SQLite file)',
    env: 'CRMSYNC_PUBLISH_TO',
    helpValue: 'URL|PATH',
    dependsOn: ['mapping'],
  }),
  'publish-wait': Flags.string({...LOCK_WAIT, dependsOn: ['publish-to']}),
  'publish-schema': Flags.string({summary: 'with --publish-to: the shadow schema (or SQLite shadow name)', helpValue: 'NAME', dependsOn: ['publish-to']}),
  mapping: mappingFlag,
}
