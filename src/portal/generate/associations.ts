/**
 * Streams a generated portal's associations in canonical order (fromType, fromId, toType, toId),
 * each edge once in the direction of ASSOCIATION_PAIRS, computed on the fly per `from` record.
 * Edge cases: deal #0 has ~150 contacts, contact #2 has 120 deals, division #0 has a large
 * share of all contacts and deals, and some pairs carry several types (labels) at once.
 */
import {ASSOCIATION_PAIRS, type Entity} from '../../connectors/hubspot/objects.js'
import {rowType, type CanonicalTypeKey} from '../association-types.js'
import {Rng} from '../prng.js'
import type {AssociationRow, AssociationType} from '../../core/records.js'
import {CONTACT2_DEALS, FORCED, type World} from './world.js'

interface Edge {
  to: number
  types: AssociationType[]
}

const T = (...keys: CanonicalTypeKey[]): AssociationType[] => keys.map(rowType)

/** Association rows of the whole portal, sorted; memory is bounded by one record's edges. */
export function* generateAssociations(w: World): Generator<AssociationRow> {
  const fromTypes = [...new Set(ASSOCIATION_PAIRS.map(([f]) => f))].sort()
  for (const from of fromTypes) {
    const toTypes = ASSOCIATION_PAIRS.filter(([f]) => f === from)
      .map(([, t]) => t)
      .sort()
    for (let i = 0; i < w.counts[from]; i++) {
      if (w.archived(from, i)) continue
      const fromId = w.ids[from].id(i)
      const r = new Rng(w.seedOf(from, i, 0xa55))
      for (const to of toTypes) {
        if (w.counts[to] === 0) continue
        for (const e of edges(w, r, from, to, i)) yield {fromType: from, fromId, toType: to, toId: w.ids[to].id(e.to), types: e.types}
      }
    }
  }
}

/** Live, distinct targets in index (= id) order, each with its types. */
function finish(w: World, to: Entity, picks: number[], typesOf: (target: number) => AssociationType[]): Edge[] {
  const uniq = [...new Set(picks)].filter((t) => !w.archived(to, t)).sort((a, b) => a - b)
  return uniq.map((t) => ({to: t, types: typesOf(t)}))
}

function edges(w: World, r: Rng, from: Entity, to: Entity, i: number): Edge[] {
  const n = w.counts[to]
  const key = `${from}>${to}`
  switch (key) {
    case 'appointments>contacts': {
      const picks = r.chance(0.9) ? [r.int(n)] : []
      if (picks.length > 0 && r.chance(0.1)) picks.push(r.int(n))
      return finish(w, to, picks, () => (r.chance(0.15) ? T('appointmentContact', 'appointmentContactOrganizer') : T('appointmentContact')))
    }
    case 'appointments>deals':
      return finish(w, to, r.chance(0.6) ? [r.int(n)] : [], () => T('appointmentDeal'))
    case 'appointments>divisions':
      return finish(w, to, r.chance(0.7) ? [r.int(n)] : [], () => T('appointmentDivision'))
    case 'contacts>deals': {
      const picks: number[] = []
      if (i === 0) picks.push(0)
      if (i === FORCED.manyDeals) for (let d = 0; d < Math.min(n, CONTACT2_DEALS); d++) picks.push(d)
      if (i >= FORCED.firstRandom && i < w.deal0BlockEnd) picks.push(0)
      const roll = r.next()
      if (roll < 0.5) picks.push(r.int(n))
      if (roll < 0.1) picks.push(r.int(n))
      return finish(w, to, picks, (t) => {
        if (i === 0 && t === 0) return T('contactDeal', 'contactDealDecisionMaker', 'contactDealBilling')
        const types = T('contactDeal')
        if (r.chance(0.1)) types.push(rowType('contactDealDecisionMaker'))
        if (r.chance(0.03)) types.push(rowType('contactDealBilling'))
        return types
      })
    }
    case 'contacts>divisions': {
      const roll = r.next()
      const picks = roll < 0.8 ? [r.chance(0.5) ? 0 : r.int(n)] : []
      if (roll < 0.05) picks.push(r.int(n))
      return finish(w, to, picks, () => (r.chance(0.1) ? T('contactDivision', 'contactDivisionPrimary') : T('contactDivision')))
    }
    case 'deals>divisions':
      return finish(w, to, r.chance(0.7) ? [r.chance(0.5) ? 0 : r.int(n)] : [], () => T('dealDivision'))
    default:
      return []
  }
}
