import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {copyStore, type CopyResult} from '../../src/store/copy.js'

export default class StoreCopy extends BaseCommand {
  static summary = 'Copy a store between SQLite and PostgreSQL (resumable, verified by counts and checksums)'
  static description =
    'Copies every entity (typed columns, records, tombstones, merged-away ids), the association edges and the sync checkpoints into an empty store, in batches that each commit with a progress marker: after a crash, the same command continues where it stopped. Then the history: every run and dead letter, with its id and times. At the end both stores are compared by counts and SHA-256 checksums of their NDJSON export and of their runs and dead letters.'
  static examples = [
    '<%= config.bin %> store copy --from crmsync.db --to "postgres://crmsync@db:5432/app?schema=crmsync"',
    '<%= config.bin %> store copy --from "postgres://crmsync@db:5432/app?schema=crmsync" --to backup.db --json',
  ]

  static flags = {
    from: Flags.string({summary: 'the store to copy: a SQLite file or a postgres:// URL', required: true, helpValue: 'PATH|URL'}),
    to: Flags.string({summary: 'the store to create: a missing SQLite file or a postgres:// URL with a ?schema= of its own', required: true, helpValue: 'PATH|URL'}),
    'batch-size': Flags.integer({summary: 'records or edges per transaction', default: 2000}),
  }

  async run(): Promise<CopyResult> {
    const {flags} = await this.parse(StoreCopy)
    const result = await copyStore({from: flags.from, to: flags.to, batchSize: flags['batch-size']})
    for (const e of result.entities) this.log(`${e.entity}: ${e.count} ${e.entity === 'associations' ? 'edges' : `records, ${e.merged} merged`}, sha256 ${e.sha256.slice(0, 16)}`)
    this.log(`runs: ${result.runs.count}, sha256 ${result.runs.sha256.slice(0, 16)}; dead letters: ${result.deadLetters.count}, sha256 ${result.deadLetters.sha256.slice(0, 16)}`)
    this.log(`copied ${result.from} to ${result.to}${result.resumed ? ' (resumed)' : ''}: ${result.checkpoints} checkpoints, verified, in ${result.seconds.toFixed(1)} s`)
    return result
  }
}
