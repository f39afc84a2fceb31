/**
 * The REST API's resource tree, as terraform declares it: the plan's paths under
 * `/v1.0/orders`, each with `ANY` method and a Cognito authorizer except health. The front
 * matches a request against this tree the way API Gateway does (a literal segment wins
 * over a `{param}`), so the function receives the same `resource` and `pathParameters`.
 * Which methods exist per path is the function's business (it answers 405), as with a
 * proxy integration.
 */

export const API_BASE_PATH = '/v1.0/orders';

export interface ApiResource {
  /** The resource template, e.g. `/v1.0/orders/{id}/status`. */
  readonly resource: string;
  /** False only for the health check, which load balancers and smoke tests call bare. */
  readonly requiresAuth: boolean;
}

export const API_RESOURCES: readonly ApiResource[] = [
  { resource: API_BASE_PATH, requiresAuth: true },
  { resource: `${API_BASE_PATH}/health`, requiresAuth: false },
  { resource: `${API_BASE_PATH}/{id}`, requiresAuth: true },
  { resource: `${API_BASE_PATH}/{id}/status`, requiresAuth: true },
  { resource: `${API_BASE_PATH}/{id}/cancel`, requiresAuth: true },
  { resource: `${API_BASE_PATH}/{id}/fulfill`, requiresAuth: true },
  { resource: `${API_BASE_PATH}/{id}/track`, requiresAuth: true },
  { resource: `${API_BASE_PATH}/{id}/history`, requiresAuth: true },
];

export interface ResourceMatch extends ApiResource {
  /** Decoded path parameters; null when the resource has none (as API Gateway sends it). */
  readonly pathParameters: Record<string, string> | null;
}

const segmentsOf = (path: string): string[] | undefined => {
  // One trailing slash is tolerated (`/v1.0/orders/`); empty inner segments are not.
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/').slice(1);
  return segments.every((s) => s !== '') ? segments : undefined;
};

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** Literal segments count for more than parameters, so `/health` beats `/{id}`. */
const specificity = (resource: string): number =>
  resource.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;

const BY_SPECIFICITY = [...API_RESOURCES].sort(
  (a, b) => specificity(b.resource) - specificity(a.resource),
);

/** The resource a raw (still percent-encoded) path belongs to, or undefined (→ 404). */
export const matchResource = (path: string): ResourceMatch | undefined => {
  const segments = segmentsOf(path);
  if (!segments) return undefined;
  for (const candidate of BY_SPECIFICITY) {
    const shape = candidate.resource.split('/').slice(1);
    if (shape.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = shape.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) {
        const value = decode(segment);
        if (value === undefined || value === '') return false;
        params[part.slice(1, -1)] = value;
        return true;
      }
      return part === segment;
    });
    if (matches) {
      return {
        ...candidate,
        pathParameters: Object.keys(params).length > 0 ? params : null,
      };
    }
  }
  return undefined;
};
