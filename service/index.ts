import { loadConfig } from './config.js';
import { createRouter } from './router.js';
import { createDeps, defaultClients } from './wiring.js';

/**
 * Lambda entry point of `order-handler-<env>`: API Gateway REST proxy events under
 * `/v1.0/orders` and EventBridge events, one function.
 */
export const handler = createRouter(createDeps(loadConfig(), defaultClients()));
