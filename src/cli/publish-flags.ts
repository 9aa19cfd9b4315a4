import {Flags} from '@oclif/core'

/** `--to` / `--schema` of `crmsync publish` (a URL may hold a password: prefer the env variable). */
export const publishTargetFlags = {
  to: Flags.string({summary: 'target: postgres://USER@HOST:5432/DB or an existing SQLite file', required: true, env: 'CRMSYNC_PUBLISH_TO', helpValue: 'URL|PATH'}),
  schema: Flags.string({summary: 'publish into a shadow copy: a PostgreSQL schema, or for SQLite the file <target>.NAME<ext>', helpValue: 'NAME'}),
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
  'publish-schema': Flags.string({summary: 'with --publish-to: the shadow schema (or SQLite shadow name)', helpValue: 'NAME', dependsOn: ['publish-to']}),
  mapping: mappingFlag,
}
