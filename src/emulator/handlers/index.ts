/**
 * The emulator's msw request handlers: one per endpoint, each run through the pipeline. The same
 * handlers serve in-process (`setupServer(...handlers)`) and on the loopback listener. Patterns come
 * from PATHS (a version move there moves the emulator too); the v3/v4 paths and HubSpot's
 * date-versioned ones (`/crm/objects/2026-03/...`) are served side by side.
 */
import {http, type RequestHandler} from 'msw'
import {PATHS} from '../../connectors/hubspot/objects.js'
import {ApiError, errorResponse} from '../errors.js'
import type {Pipeline, RouteInput} from '../pipeline.js'
import type {EndpointKind} from '../types.js'
import {batchReadAssociations} from './associations.js'
import {listProperties, listSchemas} from './meta.js'
import {batchRead, getObject, listObjects} from './objects.js'
import {searchObjects} from './search.js'

/** Date-versioned API version served beside PATHS. */
export const DATED_VERSION = '2026-03'

type Run = (input: RouteInput) => Response

/** Every path pattern of an endpoint: PATHS, the v3/v4 classic form and the dated form (deduplicated). */
function patterns(...list: string[]): string[] {
  return [...new Set(list)]
}

/** Builds the handlers; `origin` limits them to one host (default: any host). */
export function createHandlers(p: Pipeline, origin = '*'): RequestHandler[] {
  const ctx = p.ctx
  const v = DATED_VERSION
  const route = (kind: EndpointKind, run: Run) => ({request, params}: {request: Request; params: Record<string, string | readonly string[] | undefined>}) =>
    p.handle(kind, request, params as Record<string, string>, run)
  const notFound = (): Response => errorResponse(new ApiError(404, 'Not found: this path is not served by the crmsync emulator (see docs/emulator.md).', 'OBJECT_NOT_FOUND'))
  const get = (paths: string[], kind: EndpointKind, run: Run): RequestHandler[] => paths.map((path) => http.get(`${origin}${path}`, route(kind, run)))
  const post = (paths: string[], kind: EndpointKind, run: Run): RequestHandler[] => paths.map((path) => http.post(`${origin}${path}`, route(kind, run)))
  return [
    ...get(patterns(PATHS.schemas(), PATHS.schemasAlt(), '/crm/v3/schemas', '/crm-object-schemas/v3/schemas'), 'schemas', () => listSchemas(ctx)),
    ...get(patterns(PATHS.properties(':type'), '/crm/v3/properties/:type', `/crm/properties/${v}/:type`), 'properties', ({params}) => listProperties(p.entity(params.type))),
    ...get(patterns(PATHS.list(':type'), '/crm/v3/objects/:type', `/crm/objects/${v}/:type`), 'list', ({params, url}) => listObjects(ctx, p.entity(params.type), url)),
    ...post(patterns(PATHS.search(':type'), '/crm/v3/objects/:type/search', `/crm/objects/${v}/:type/search`), 'search', ({params, body, url}) => searchObjects(ctx, p.entity(params.type), body, url)),
    ...post(patterns(PATHS.batchRead(':type'), '/crm/v3/objects/:type/batch/read', `/crm/objects/${v}/:type/batch/read`), 'batchRead', ({params, body, url}) => batchRead(ctx, p.entity(params.type), body, url)),
    ...get(patterns(PATHS.get(':type', ':id'), '/crm/v3/objects/:type/:id', `/crm/objects/${v}/:type/:id`), 'get', ({params, url}) => getObject(ctx, p.entity(params.type), params.id, url)),
    ...post(patterns(PATHS.associationsBatchRead(':from', ':to'), '/crm/v4/associations/:from/:to/batch/read', `/crm/associations/${v}/:from/:to/batch/read`), 'associations', ({params, body}) =>
      batchReadAssociations(ctx, p.entity(params.from), p.entity(params.to), body),
    ),
    http.all(`${origin}/crm/*`, route('other', notFound)),
    http.all(`${origin}/crm-object-schemas/*`, route('other', notFound)),
  ]
}
