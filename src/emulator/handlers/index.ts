/**
 * The emulator's msw request handlers: one per endpoint, each run through the pipeline. The same
 * handlers serve in-process (`setupServer(...handlers)`) and on the loopback listener.
 */
import {http, type RequestHandler} from 'msw'
import {ApiError, errorResponse} from '../errors.js'
import type {Pipeline, RouteInput} from '../pipeline.js'
import type {EndpointKind} from '../types.js'
import {batchReadAssociations} from './associations.js'
import {listProperties, listSchemas} from './meta.js'
import {batchRead, getObject, listObjects} from './objects.js'
import {searchObjects} from './search.js'

/** Builds the handlers; `origin` limits them to one host (default: any host). */
export function createHandlers(p: Pipeline, origin = '*'): RequestHandler[] {
  const ctx = p.ctx
  const route =
    (kind: EndpointKind, run: (input: RouteInput) => Response) =>
    ({request, params}: {request: Request; params: Record<string, string | readonly string[] | undefined>}) =>
      p.handle(kind, request, params as Record<string, string>, run)
  const notFound = (): Response => errorResponse(new ApiError(404, 'Not found: this path is not served by the crmsync emulator (see docs/emulator.md).', 'OBJECT_NOT_FOUND'))
  return [
    http.get(`${origin}/crm/v3/schemas`, route('schemas', () => listSchemas(ctx))),
    http.get(`${origin}/crm-object-schemas/v3/schemas`, route('schemas', () => listSchemas(ctx))),
    http.get(`${origin}/crm/v3/properties/:type`, route('properties', ({params}) => listProperties(p.entity(params.type)))),
    http.get(`${origin}/crm/v3/objects/:type`, route('list', ({params, url}) => listObjects(ctx, p.entity(params.type), url))),
    http.post(`${origin}/crm/v3/objects/:type/search`, route('search', ({params, body, url}) => searchObjects(ctx, p.entity(params.type), body, url))),
    http.post(`${origin}/crm/v3/objects/:type/batch/read`, route('batchRead', ({params, body, url}) => batchRead(ctx, p.entity(params.type), body, url))),
    http.get(`${origin}/crm/v3/objects/:type/:id`, route('get', ({params, url}) => getObject(ctx, p.entity(params.type), params.id, url))),
    http.post(
      `${origin}/crm/v4/associations/:from/:to/batch/read`,
      route('associations', ({params, body}) => batchReadAssociations(ctx, p.entity(params.from), p.entity(params.to), body)),
    ),
    http.all(`${origin}/crm/*`, route('other', notFound)),
    http.all(`${origin}/crm-object-schemas/*`, route('other', notFound)),
  ]
}
