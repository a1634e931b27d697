/** What an API key or an OIDC principal may do: read and act (analyst), administer, ingest. */
export const API_KEY_ROLES = ['analyst', 'admin', 'ingest'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];
