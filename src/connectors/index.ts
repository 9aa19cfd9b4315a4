/** Registry of connectors: adding a CRM is one folder under src/connectors plus one line here. */
import type {Connector} from '../core/connector.js'
import {UsageError} from '../core/errors.js'
import {hubspotConnector} from './hubspot/connector.js'

export const CONNECTORS: Record<string, Connector> = {
  hubspot: hubspotConnector,
}

/** The connector registered under `name`; undefined if none is. */
export function getConnector(name: string): Connector | undefined {
  return CONNECTORS[name]
}

/** The connector `--crm NAME` names, or a UsageError (exit 2) listing the registered ones. */
export function connectorNamed(name: string): Connector {
  const c = Object.hasOwn(CONNECTORS, name) ? CONNECTORS[name] : undefined
  if (!c) throw new UsageError(`unknown CRM "${name}"`, `use one of: ${Object.keys(CONNECTORS).join(', ')}`, 'UNKNOWN_CRM')
  return c
}
