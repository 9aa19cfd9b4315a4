/** Registry of connectors: adding a CRM is one folder under src/connectors plus one line here. */
import type {Connector} from '../core/connector.js'
import {hubspotConnector} from './hubspot/connector.js'

export const CONNECTORS: Record<string, Connector> = {
  hubspot: hubspotConnector,
}

/** The connector registered under `name`; undefined if none is. */
export function getConnector(name: string): Connector | undefined {
  return CONNECTORS[name]
}
