/** Injection tokens of the query API's plain (non-Nest) collaborators. */
export const QUERY_API_CONFIG = Symbol('QueryApiConfig');
export const QUERY_API_LOGGER = Symbol('QueryApiLogger');
export const DATA_SOURCE = Symbol('DataSource');
export const FEEDBACK_SERVICE = Symbol('FeedbackService');
export const READ_MODEL_LISTENER = Symbol('ReadModelListener');
export const QUERY_API_METRICS = Symbol('QueryApiMetrics');
export const TENANT_CONFIG_SERVICE = Symbol('TenantConfigService');
export const SUPPRESSION_PROPOSALS = Symbol('SuppressionProposals');
