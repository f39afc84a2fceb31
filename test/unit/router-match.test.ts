import { describe, expect, it } from 'vitest';
import { matchRoute, ROUTES } from '../../service/router.js';

const ID = 'ord_01JH0000000000000000000000';
const concrete = (routePath: string): string => routePath.replace('{id}', ID);

describe('matchRoute', () => {
  it('has the 11 routes, one per operation', () => {
    // Assess
    expect(ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /health',
      'GET ',
      'POST ',
      'GET /{id}',
      'PUT /{id}',
      'DELETE /{id}',
      'PUT /{id}/status',
      'POST /{id}/cancel',
      'POST /{id}/fulfill',
      'GET /{id}/track',
      'GET /{id}/history',
    ]);
    expect(new Set(ROUTES.map((r) => r.operation)).size).toBe(ROUTES.length);
  });

  describe.each([
    ['/v1.0/orders', 'with the /v1.0 prefix'],
    ['/orders', 'without the /v1.0 prefix (custom domain mapping)'],
  ])('base %s %s', (base) => {
    it.each(ROUTES.map((r) => [r.method, r.path, r.operation] as const))(
      '%s %s → %s',
      (method, routePath, operation) => {
        // Act
        const match = matchRoute(method, `${base}${concrete(routePath)}`);

        // Assess
        expect(match?.route?.operation).toBe(operation);
        expect(match?.orderId).toBe(routePath.includes('{id}') ? ID : '');
      },
    );
  });

  it('treats /health as the literal health route, not an order id', () => {
    // Act
    const match = matchRoute('GET', '/v1.0/orders/health');

    // Assess
    expect(match?.route?.operation).toBe('health');
    expect(match?.orderId).toBe('');
    expect(match?.allowed).toEqual(['GET']);
  });

  it('offers only GET on /health for other methods', () => {
    // Act
    const match = matchRoute('DELETE', '/v1.0/orders/health');

    // Assess
    expect(match?.route).toBeUndefined();
    expect(match?.allowed).toEqual(['GET']);
  });

  it('matches any other single segment as an order id', () => {
    // Act
    const match = matchRoute('GET', '/v1.0/orders/healthy');

    // Assess
    expect(match?.route?.operation).toBe('get');
    expect(match?.orderId).toBe('healthy');
  });

  it.each([
    ['PATCH', '/v1.0/orders', ['GET', 'POST']],
    ['DELETE', '/v1.0/orders', ['GET', 'POST']],
    ['POST', `/v1.0/orders/${ID}`, ['GET', 'PUT', 'DELETE']],
    ['GET', `/v1.0/orders/${ID}/status`, ['PUT']],
    ['GET', `/v1.0/orders/${ID}/cancel`, ['POST']],
    ['PUT', `/v1.0/orders/${ID}/fulfill`, ['POST']],
    ['POST', `/v1.0/orders/${ID}/track`, ['GET']],
    ['DELETE', `/orders/${ID}/history`, ['GET']],
  ])('answers %s %s with no route and the allowed methods', (method, path, allowed) => {
    // Act
    const match = matchRoute(method, path);

    // Assess
    expect(match).toBeDefined();
    expect(match?.route).toBeUndefined();
    expect(match?.allowed).toEqual(allowed);
  });

  it.each([
    '/',
    '/v1.0',
    '/v2/orders',
    '/v1.0/ordersx',
    '/v1.0/orders-archive',
    '/api/v1.0/orders',
    `/v1.0/orders/${ID}/refund`,
    `/v1.0/orders/${ID}/track/extra`,
    `/v1.0/orders/${ID}/health`,
  ])('does not match %s', (path) => {
    // Assess
    expect(matchRoute('GET', path)).toBeUndefined();
  });
});
