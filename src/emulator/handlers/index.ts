/**
 * The emulator's msw request handlers: one per endpoint, each run through the pipeline. The same
 * handlers serve in-process (`setupServer(...handlers)`) and on the loopback listener. Path patterns
 * are the emulator's own (HUBSPOT_PATHS in ../hubspot-limits.ts, never the client's): the v3/v4
 * paths and HubSpot's date-versioned ones (`/crm/objects/2026-03/...`) are served side by side.
 */
import {http, type RequestHandler} from 'msw'
import {ApiError, errorResponse} from '../errors.js'
import {DATED_VERSION, HUBSPOT_PATHS as P} from '../hubspot-limits.js'
import type {Pipeline, RouteInput} from '../pipeline.js'
import type {EndpointKind} from '../types.js'
import {batchReadAssociations} from './associations.js'
import {getOwner, listAssociationLabels, listOwners, listPipelines} from './catalog.js'
import {listProperties, listSchemas} from './meta.js'
import {batchRead, getObject, listObjects} from './objects.js'
import {searchObjects} from './search.js'

export {DATED_VERSION}

type Run = (input: RouteInput) => Response

/** Builds the handlers; `origin` limits them to one host (default: any host). */
export function createHandlers(p: Pipeline, origin = '*'): RequestHandler[] {
  const ctx = p.ctx
  const route =
    (kind: EndpointKind, run: Run) =>
    ({request, params}: {request: Request; params: Record<string, string | readonly string[] | undefined>}) =>
      p.handle(kind, request, params as Record<string, string>, run)
  const notFound = (): Response => errorResponse(new ApiError(404, 'Not found: this path is not served by the crmsync emulator (see docs/emulator.md).', 'OBJECT_NOT_FOUND'))
  const get = (paths: readonly string[], kind: EndpointKind, run: Run): RequestHandler[] => paths.map((path) => http.get(`${origin}${path}`, route(kind, run)))
  const post = (paths: readonly string[], kind: EndpointKind, run: Run): RequestHandler[] => paths.map((path) => http.post(`${origin}${path}`, route(kind, run)))
  return [
    ...get(P.schemas, 'schemas', () => listSchemas(ctx)),
    ...get(P.properties, 'properties', ({params}) => listProperties(p.entity(params.type))),
    ...get(P.owners, 'owners', ({url}) => listOwners(ctx, url)),
    ...get(P.owner, 'owners', ({params}) => getOwner(ctx, params.id)),
    ...get(P.pipelines, 'pipelines', ({params}) => listPipelines(p.entity(params.type))),
    ...get(P.list, 'list', ({params, url}) => listObjects(ctx, p.entity(params.type), url)),
    ...post(P.search, 'search', ({params, body, url}) => searchObjects(ctx, p.entity(params.type), body, url)),
    ...post(P.batchRead, 'batchRead', ({params, body, url}) => batchRead(ctx, p.entity(params.type), body, url)),
    ...get(P.get, 'get', ({params, url}) => getObject(ctx, p.entity(params.type), params.id, url)),
    ...post(P.associationsBatchRead, 'associations', ({params, body}) => batchReadAssociations(ctx, p.entity(params.from), p.entity(params.to), body)),
    ...get(P.associationLabels, 'labels', ({params}) => listAssociationLabels(ctx, p.entity(params.from), p.entity(params.to))),
    http.all(`${origin}/crm/*`, route('other', notFound)),
    http.all(`${origin}/crm-object-schemas/*`, route('other', notFound)),
  ]
}
