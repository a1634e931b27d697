/** The simulated source systems and their products. */
export const edr = { sourceSystem: 'edr-prod', product: 'Endpoint Sensor' };
export const mail = { sourceSystem: 'mail-gateway', product: 'Mail Gateway' };
export const net = { sourceSystem: 'fw-core', product: 'NGFW' };
export const idp = { sourceSystem: 'idp-prod', product: 'Identity Provider' };
