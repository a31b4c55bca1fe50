/**
 * Typed errors for Kubernetes API failures. Every call in src/k8s throws one of
 * these, so callers decide by type (retry a ConflictError, turn an
 * UnavailableError into a 503) instead of parsing status codes.
 */

/** A Kubernetes Status object, as returned in error responses. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly status?: KubeStatus,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One field a server-side apply could not take because another manager owns it. */
export interface ManagerConflict {
  manager: string;
  field: string;
}

/**
 * 409 Conflict: either a field owned by another manager (managerConflicts is
 * non-empty) or a stale metadata.resourceVersion precondition (isStale).
 */
export class ConflictError extends KubeApiError {
  readonly managerConflicts: ManagerConflict[];
  constructor(message: string, status?: KubeStatus) {
    super(message, 409, status);
    this.managerConflicts = parseManagerConflicts(status);
  }
  /** True when the write lost an optimistic-concurrency race and can be retried after a re-read. */
  get isStale(): boolean {
    return this.managerConflicts.length === 0;
  }
}

export class AlreadyExistsError extends KubeApiError {}
export class NotFoundError extends KubeApiError {}
/** 422: the object failed validation (schema, CEL). fieldMessages name each field. */
export class InvalidError extends KubeApiError {
  get fieldMessages(): string[] {
    return (this.status?.details?.causes ?? []).map(c => `${c.field ?? ""}: ${c.message ?? ""}`.trim());
  }
}
export class UnauthorizedError extends KubeApiError {}
export class ForbiddenError extends KubeApiError {}
/** The API server could not be reached or asked us to back off (network error, 429, 5xx). */
export class UnavailableError extends KubeApiError {
  /**
   * Whether a write may have been applied although no answer said so: true
   * when the request may have reached the API server (connection lost
   * mid-request, timeout, 5xx), false when it certainly did not (connection
   * refused, 429 Too Many Requests).
   */
  mayHaveApplied = true;
}

const MANAGER_IN_MESSAGE = /conflict with "([^"]+)"/;

function parseManagerConflicts(status?: KubeStatus): ManagerConflict[] {
  return (status?.details?.causes ?? [])
    .filter(c => c.reason === "FieldManagerConflict")
    .map(c => ({ manager: MANAGER_IN_MESSAGE.exec(c.message ?? "")?.[1] ?? "unknown", field: c.field ?? "" }));
}

/** Maps an API response (status code + Status body) to the typed error. */
export function errorFromResponse(statusCode: number, body: unknown, what: string): KubeApiError {
  const status = isKubeStatus(body) ? body : undefined;
  const message = `${what}: ${status?.message ?? `HTTP ${statusCode}`}`;
  if (statusCode === 409 && status?.reason === "AlreadyExists") return new AlreadyExistsError(message, 409, status);
  if (statusCode === 409) return new ConflictError(message, status);
  if (statusCode === 404) return new NotFoundError(message, 404, status);
  if (statusCode === 422) return new InvalidError(message, 422, status);
  if (statusCode === 401) return new UnauthorizedError(message, 401, status);
  if (statusCode === 403) return new ForbiddenError(message, 403, status);
  if (statusCode === 429) return Object.assign(new UnavailableError(message, statusCode, status), { mayHaveApplied: false });
  if (statusCode >= 500) return new UnavailableError(message, statusCode, status);
  return new KubeApiError(message, statusCode, status);
}

function isKubeStatus(body: unknown): body is KubeStatus {
  return typeof body === "object" && body !== null && (body as KubeStatus).kind === "Status";
}
