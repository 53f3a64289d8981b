/**
 * The closed set of error codes the service speaks. Domain code throws `DomainError(code)`; the HTTP layer
 * maps each code to a status and a message in one table (src/http/error-codes.ts).
 */
export const errorCodes = [
  'VALIDATION_FAILED',
  'MALFORMED_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'APPLICANT_FILTER_FORBIDDEN',
  'ROUTE_NOT_FOUND',
  'UNIT_NOT_FOUND',
  'UNIT_ALREADY_EXISTS',
  'UNIT_PARENT_INVALID',
  'UNIT_INACTIVE',
  'RESOLVING_UNIT_NOT_FOUND',
  'RESOLVING_UNIT_INACTIVE',
  'API_KEY_NOT_FOUND',
  'OFFICER_NOT_FOUND',
  'OFFICER_EXISTS',
  'OFFICER_NOT_IN_SCOPE',
  'OFFICER_INACTIVE',
  'OFFICER_MISMATCH',
  'OFFICER_REQUIRED',
  'KEY_OFFICER_INACTIVE',
  'PROCEDURE_NOT_FOUND',
  'PROCEDURE_ALREADY_EXISTS',
  'PROCEDURE_INACTIVE',
  'PROCESS_VERSION_NOT_FOUND',
  'PROCESS_EXCEEDS_STATUTORY_TIME',
  'DOSSIER_NOT_FOUND',
  'FORM_NOT_APPLICABLE',
  'STEP_NOT_IN_PROCESS',
  'CALENDAR_DAY_NOT_FOUND',
  'WEBHOOK_NOT_FOUND',
  'WEBHOOK_DELIVERY_NOT_FOUND',
  'ALERT_NOT_FOUND',
  'INVALID_TRANSITION',
  'DOSSIER_NOT_RETURNED',
  'DOSSIER_ALREADY_RATED',
  'VERSION_MISMATCH',
  'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_ACCEPTABLE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'SERVER_BUSY',
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/**
 * A problem with one field. `message` is a key of the message table (src/http/messages.ts), rendered in the
 * request's language with `params`; `path` is the machine path, e.g. `body.applicant.idNumber`.
 */
export interface ErrorItem {
  path: string;
  message: string;
  params?: Record<string, string | number>;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  /**
   * Values interpolated into the message template, e.g. `{ state: 'received', action: 'accept' }`. The HTTP layer
   * names `state`, `action` and `role` in the request's language and renders `reason` as a message key.
   */
  readonly params: Record<string, string | number>;
  readonly errors: ErrorItem[] | undefined;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, errors?: ErrorItem[]) {
    super(`${code}${Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`);
    this.name = 'DomainError';
    this.code = code;
    this.params = params;
    this.errors = errors;
  }
}
