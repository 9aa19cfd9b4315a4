/**
 * The deterministic "world" of a generated portal: which record is archived, merged, shares the
 * bulk-update timestamp, and when things happened. Every answer is a pure function of
 * (seed, entity, index), so records and associations can be produced in any order, streamed.
 */
import {ENTITIES, type Entity} from '../../connectors/hubspot/objects.js'
import {hash32, unit} from '../prng.js'
import {IdLayout} from './ids.js'
import type {ResolvedOptions} from './options.js'

export const DAY = 86_400_000
/** "Now" of every generated portal: fixed, so output does not depend on the clock. */
export const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0, 0)
export const START_MS = NOW_MS - 3 * 365 * DAY
/** The instant that --shared-timestamp contacts share (a bulk update). */
export const SHARED_MS = Date.UTC(2025, 10, 20, 9, 30, 0, 123)

export const SALT: Record<Entity, number> = {contacts: 0, deals: 1, appointments: 2, divisions: 3}

/** Contact indices with forced edge cases (when the portal is big enough). */
export const FORCED = {manyDeals: 2, merged: 3, longNames: 4, messyEmail: 5, nulls: 6, firstRandom: 7} as const
/** Contacts (live) that all get deal #0: one deal with this many contacts. */
export const DEAL0_CONTACTS = 150
/** Deals that contact #2 gets: one contact with more than 100 deals. */
export const CONTACT2_DEALS = 120

export class World {
  readonly ids: Record<Entity, IdLayout>
  readonly counts: Record<Entity, number>
  /** contacts [FORCED.firstRandom, deal0BlockEnd) that are live are associated with deal #0 */
  readonly deal0BlockEnd: number
  readonly divisionsObjectTypeId: string

  constructor(readonly o: ResolvedOptions) {
    this.counts = {contacts: o.contacts, deals: o.deals, appointments: o.appointments, divisions: o.divisions}
    this.ids = Object.fromEntries(ENTITIES.map((e) => [e, new IdLayout(this.counts[e], o.seed, SALT[e])])) as Record<Entity, IdLayout>
    let live = 0
    let i: number = FORCED.firstRandom
    for (; i < o.contacts && live < DEAL0_CONTACTS; i++) if (!this.archived('contacts', i)) live++
    this.deal0BlockEnd = i
    this.divisionsObjectTypeId = `2-${1_000_000 + (hash32(o.seed, o.portalId, 0x2d) % 9_000_000)}`
  }

  /** A per-record seed for the record's own values (`purpose` separates independent streams). */
  seedOf(e: Entity, i: number, purpose: number): number {
    return hash32(this.o.seed, SALT[e], i, purpose)
  }

  /** Exactly `sharedTimestamp` contacts, spread evenly over the index range. */
  shared(i: number): boolean {
    const n = this.o.sharedTimestamp
    const c = this.o.contacts
    return n > 0 && Math.floor(((i + 1) * n) / c) > Math.floor((i * n) / c)
  }

  archived(e: Entity, i: number): boolean {
    const ratio = this.o.archivedRatio
    if (ratio === 0 || i === 0) return false
    if (e === 'contacts' && (this.shared(i) || (i >= FORCED.manyDeals && i < FORCED.firstRandom))) return false
    if (i === 1 && this.counts[e] >= 3) return true
    return unit(this.o.seed, SALT[e], i, 0xa) < ratio
  }

  /** Merged-away contact ids carried by a surviving contact (empty for most contacts). */
  mergedIds(i: number): string[] {
    if (this.archived('contacts', i)) return []
    if (i === FORCED.merged) return this.ids.contacts.freeIds(i, 2)
    if (i < FORCED.firstRandom || unit(this.o.seed, 0, i, 0xb) >= 0.01) return []
    return this.ids.contacts.freeIds(i, 1 + (hash32(this.o.seed, i, 0xc) % 2))
  }
}
