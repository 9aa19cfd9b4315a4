import {describe, expect, it} from 'vitest'
import {runInLanes} from '../../src/core/lanes.js'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('runInLanes', () => {
  it('runs at most N at a time, every item once, starting in order', async () => {
    let running = 0
    let peak = 0
    const started: number[] = []
    await runInLanes([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n)
      running++
      peak = Math.max(peak, running)
      await tick(n % 2 ? 5 : 1)
      running--
    })
    expect(started).toEqual([1, 2, 3, 4, 5])
    expect(peak).toBe(2)
  })

  it('after a failure starts nothing new, lets the running item finish, then throws the first error', async () => {
    const done: number[] = []
    const err = await runInLanes([1, 2, 3, 4], 2, async (n) => {
      if (n === 1) throw new Error('one failed')
      await tick(10)
      done.push(n)
    }).catch((e: Error) => e)
    expect((err as Error).message).toBe('one failed')
    expect(done).toEqual([2]) // 2 was running and finished; 3 and 4 never started
  })
})
