/**
 * Read-only checks against a real HubSpot portal (`npm run test:live`). Every test is skipped
 * unless HUBSPOT_ACCESS_TOKEN is set; HUBSPOT_BASE_URL overrides the host (default HubSpot's).
 * Nothing here writes to the portal, and the token is never printed.
 */
import {Client} from '@hubspot/api-client'
import {describe, expect, it} from 'vitest'
import {DEFAULT_BASE_URL, PATHS} from '../../src/connectors/hubspot/objects.js'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'

const token = process.env.HUBSPOT_ACCESS_TOKEN
const baseUrl = process.env.HUBSPOT_BASE_URL ?? DEFAULT_BASE_URL
const live = describe.skipIf(!token)

interface Page {
  results: Array<{id: string; properties: Record<string, string | null>; updatedAt: string}>
  paging?: {next?: {after: string}}
  total?: number
}

live('live HubSpot portal (read-only)', () => {
  const client = () => new HubSpotHttpClient({baseUrl, accessToken: token as string})

  it('lists contacts with the documented page shape and digit-string ids', async () => {
    const res = await client().request<Page>({method: 'GET', path: PATHS.list('contacts'), query: {limit: 5, properties: 'email,lastmodifieddate'}})
    expect(res.status).toBe(200)
    for (const r of res.body.results) {
      expect(r.id).toMatch(/^\d+$/)
      expect(typeof r.properties).toBe('object')
    }
    expect(res.headers.get('x-hubspot-ratelimit-max') ?? res.headers.get('x-hubspot-ratelimit-daily')).not.toBeNull()
  })

  it('searches contacts sorted by lastmodifieddate and reports a total', async () => {
    const res = await client().request<Page>({
      method: 'POST',
      path: PATHS.search('contacts'),
      bucket: 'search',
      body: {filterGroups: [], sorts: [{propertyName: 'lastmodifieddate', direction: 'ASCENDING'}], properties: ['lastmodifieddate'], limit: 10},
    })
    expect(typeof res.body.total).toBe('number')
    const stamps = res.body.results.map((r) => Date.parse(r.properties.lastmodifieddate ?? r.updatedAt))
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps)
  })

  it('lists custom object schemas (divisions is found there when the portal has it)', async () => {
    const res = await client().request<{results: Array<{name: string; objectTypeId: string}>}>({method: 'GET', path: PATHS.schemas()})
    expect(Array.isArray(res.body.results)).toBe(true)
    for (const s of res.body.results) expect(s.objectTypeId).toMatch(/^2-\d+$/)
  })

  it('the official client and crmsync read the same first page of contacts', async () => {
    const official = new Client({accessToken: token as string, basePath: baseUrl.replace(/\/+$/, '')})
    const page = await official.crm.contacts.basicApi.getPage(5)
    const ours = await client().request<Page>({method: 'GET', path: PATHS.list('contacts'), query: {limit: 5}})
    expect(ours.body.results.map((r) => r.id)).toEqual(page.results.map((r) => r.id))
  })
})
