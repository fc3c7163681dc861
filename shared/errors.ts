// The one error hierarchy of the API. Each class carries its HTTP status and a stable machine-readable
// `code` from shared/error-codes.ts; shared/http/problem.ts turns any of them into an
// application/problem+json response by instanceof.

import type { ErrorCode } from './error-codes.js';

export interface FieldError {
  /** Where the field lives: the path, the query string, a header or the body. */
  in: 'path' | 'query' | 'header' | 'body';
  /** Dotted path with array indexes, e.g. `readings[3].soc`; '' for the whole body. */
  field: string;
  /** A stable code for this field's problem (e.g. `too_small`, `invalid_type`, `unrecognized_key`). */
  code: string;
  message: string;
}

export interface ProblemExtras {
  errors?: FieldError[];
  /** Extra headers the response must carry (Allow, Retry-After, WWW-Authenticate, rate-limit headers). */
  headers?: Record<string, string>;
  /** Extra members for the problem document (never secrets). */
  extensions?: Record<string, unknown>;
}

export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, detail: string, extras: ProblemExtras = {}) {
    super(detail);
    this.name = new.target.name;
    this.code = code;
    this.errors = extras.errors;
    this.headers = extras.headers ?? {};
    this.extensions = extras.extensions ?? {};
  }
}

/** 400: the request is well-formed HTTP but its content breaks a rule. */
export class ValidationError extends ApiError {
  readonly status = 400;
  readonly title = 'Bad Request';
}

/**
 * 401: no usable credentials. The body never says which check failed; the challenge names no error when
 * no credentials came at all (RFC 6750 section 3.1), `invalid_token` otherwise.
 */
export class UnauthorizedError extends ApiError {
  readonly status = 401;
  readonly title = 'Unauthorized';
  constructor(credentials: 'missing' | 'invalid' = 'invalid') {
    super('unauthorized', 'A valid bearer token is required.', {
      headers: {
        'WWW-Authenticate':
          credentials === 'missing'
            ? 'Bearer realm="evsessions"'
            : 'Bearer realm="evsessions", error="invalid_token"',
      },
    });
  }
}

/** 403: credentials are valid but lack the scope the route needs. */
export class ForbiddenError extends ApiError {
  readonly status = 403;
  readonly title = 'Forbidden';
  constructor(requiredScope: string) {
    super('insufficient_scope', `This token lacks the scope '${requiredScope}' that this operation needs.`, {
      headers: {
        'WWW-Authenticate': `Bearer realm="evsessions", error="insufficient_scope", scope="${requiredScope}"`,
      },
      extensions: { requiredScope },
    });
  }
}

export class NotFoundError extends ApiError {
  readonly status = 404;
  readonly title = 'Not Found';
}

export class MethodNotAllowedError extends ApiError {
  readonly status = 405;
  readonly title = 'Method Not Allowed';
  constructor(method: string, path: string, allowed: string[]) {
    super('method_not_allowed', `${method} is not allowed on ${path}. Allowed: ${allowed.join(', ')}.`, {
      headers: { Allow: allowed.join(', ') },
    });
  }
}

export class ConflictError extends ApiError {
  readonly status = 409;
  readonly title = 'Conflict';
}

export class PayloadTooLargeError extends ApiError {
  readonly status = 413;
  readonly title = 'Content Too Large';
  constructor(limitBytes: number, detail?: string) {
    super('payload_too_large', detail ?? `The request body exceeds the limit of ${limitBytes} bytes.`, {
      extensions: { limitBytes },
    });
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly status = 415;
  readonly title = 'Unsupported Media Type';
  constructor(received: string | undefined, accepted: string) {
    super(
      'unsupported_media_type',
      received
        ? `Content-Type '${received}' is not accepted here; send ${accepted}.`
        : `A Content-Type header is required; send ${accepted}.`,
      { headers: { 'Accept-Post': accepted } },
    );
  }
}

export class NotAcceptableError extends ApiError {
  readonly status = 406;
  readonly title = 'Not Acceptable';
}

/** 422: the request is valid JSON of the right shape but names something that cannot be used. */
export class UnprocessableError extends ApiError {
  readonly status = 422;
  readonly title = 'Unprocessable Content';
}

export class RateLimitedError extends ApiError {
  readonly status = 429;
  readonly title = 'Too Many Requests';
  constructor(retryAfterSeconds: number, headers: Record<string, string> = {}) {
    super('rate_limited', `Too many requests; retry after ${retryAfterSeconds} seconds.`, {
      headers: { ...headers, 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** 503: a dependency (DynamoDB, a payment provider) is throttling or failing; the client may retry. */
export class ServiceUnavailableError extends ApiError {
  readonly status = 503;
  readonly title = 'Service Unavailable';
  constructor(
    detail = 'The service is temporarily unable to handle the request; retry shortly.',
    retryAfterSeconds = 1,
  ) {
    super('service_unavailable', detail, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }
}
