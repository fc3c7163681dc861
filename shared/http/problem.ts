// Maps any thrown value to an application/problem+json response (RFC 9457), in one place, by instanceof.
// AWS SDK throttling and service faults become 503 with Retry-After; anything unexpected is a 500 that
// reveals only the request id.

import { problemTypeUri } from '../error-codes.js';
import { ApiError, ServiceUnavailableError } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: ApiError['errors'];
  [extension: string]: unknown;
}

const RETRYABLE_AWS_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'LimitExceededException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** True for an AWS SDK error that says "try again later" rather than "this request is wrong". */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string })
    .$metadata;
  if (RETRYABLE_AWS_ERRORS.has(error.name)) return true;
  if (meta?.httpStatusCode !== undefined && meta.httpStatusCode >= 500) return true;
  const code = (error as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EPIPE';
}

export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isTransientAwsError(error)) return new ServiceUnavailableError();
  return undefined;
}

export function problemDocument(error: ApiError, instance?: string, requestId?: string): ProblemDocument {
  // Extensions come first: they may add members but never replace the standard ones (a stray
  // `status` extension once turned a 409 into an invalid HTTP status).
  return {
    ...error.extensions,
    type: problemTypeUri(error.code),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function internalErrorDocument(instance?: string, requestId?: string): ProblemDocument {
  return {
    type: problemTypeUri('internal_error'),
    title: 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred. Quote the request id when reporting it.',
    code: 'internal_error',
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
  };
}
