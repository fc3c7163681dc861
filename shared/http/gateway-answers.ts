// What API Gateway's HTTP API answers by itself, before any of our code runs. An HTTP API has no
// "gateway responses" to customise (REST APIs have), so these keep the gateway's own `{"message": …}`
// JSON body and carry no CORS headers: the gateway adds those to integration responses only. The local
// runner sends exactly these; the OpenAPI document and docs/errors.md list them, so clients can expect
// them. (Without an identity source on the authorizer, a missing Authorization header is not among them:
// see shared/auth/gateway.ts.)

export interface GatewayAnswer {
  status: number;
  message: string;
  /** When the gateway sends it, for docs/errors.md and the OpenAPI document. */
  when: string;
}

/** An HTTP API accepts request bodies of up to 10 MB. */
export const GATEWAY_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
/** …and a request line plus header values of at most 10,240 bytes in all (HTTP API quotas). */
export const GATEWAY_HEAD_LIMIT_BYTES = 10_240;

export const GATEWAY_ANSWERS = {
  badPath: {
    status: 400,
    message: 'Bad Request',
    when: 'The request path has a malformed percent-encoding (e.g. `%E0%A4%A`).',
  },
  bodyTooLarge: {
    status: 413,
    message: 'Request Entity Too Large',
    when: 'The body is over 10 MB, the HTTP API quota (smaller bodies over an operation’s own limit get `payload_too_large`).',
  },
  headTooLarge: {
    status: 431,
    message: 'Request Header Fields Too Large',
    when: 'The request line and header values together are over 10,240 bytes, the HTTP API quota.',
  },
  internal: {
    status: 500,
    message: 'Internal Server Error',
    when: 'A function or the authorizer failed without answering (crashed or timed out); our own errors are `internal_error` problems.',
  },
} as const satisfies Record<string, GatewayAnswer>;
