import {Flags} from '@oclif/core'

/**
 * Connection flags shared by every command that talks to HubSpot (sync, portal record): spread
 * them into a command's `flags`. The token is deliberately not a flag: it comes from
 * HUBSPOT_ACCESS_TOKEN or the config file (see src/connectors/hubspot/config.ts).
 */
export const connectionFlags = {
  'base-url': Flags.string({
    summary: 'HubSpot API base URL',
    defaultHelp: async () => "$HUBSPOT_BASE_URL, else the config file's baseUrl, else https://api.hubapi.com",
    description: 'Point at the emulator with e.g. --base-url http://127.0.0.1:3000',
    helpValue: 'URL',
  }),
  'api-version': Flags.string({
    summary: 'HubSpot API version of the paths requested: 2026-03 (date-versioned, the default) or v3 (the numeric paths HubSpot retires in September 2027)',
    env: 'CRMSYNC_API_VERSION',
    options: ['2026-03', 'v3'],
    helpValue: 'VERSION',
  }),
  config: Flags.string({
    summary: 'JSON config file with {"accessToken", "baseUrl"}',
    defaultHelp: async () => '$CRMSYNC_CONFIG, else ~/.config/crmsync/config.json',
    helpValue: 'FILE',
  }),
}
