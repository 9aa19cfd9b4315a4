import type {Bucket} from './http-types.js'

/** FIFO turns per bucket, so that streams sharing a budget get fair turns: each caller waits for the one before it. */
export class FifoTurns {
  private chains: Record<Bucket, Promise<void>> = {default: Promise.resolve(), search: Promise.resolve()}

  /** Resolves when every earlier caller of `bucket` has passed its turn on; call the returned function (in a `finally`) to pass yours on. */
  async take(bucket: Bucket): Promise<() => void> {
    const prev = this.chains[bucket]
    let release!: () => void
    this.chains[bucket] = new Promise<void>((r) => (release = r))
    await prev
    return release
  }
}
