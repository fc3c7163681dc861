import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../shared/errors.js';
import { decodeBody, isJsonMediaType, parseJsonBody } from '../../shared/http/body.js';
import { compilePath, specificity } from '../../shared/http/path-match.js';
import { isTransientAwsError, problemDocument, toApiError } from '../../shared/http/problem.js';
import { fieldErrorsFromZod, formatPath, parseOrThrow } from '../../shared/http/validation.js';
import { isUuid, uuidv7 } from '../../shared/ids.js';
import { isIanaTimeZone } from '../../shared/time-zones.js';
import { thrownApiError } from '../support/errors.js';

describe('request bodies', () => {
  it('accept JSON media types only, in UTF-8', () => {
    for (const ok of [
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON;charset="UTF-8"',
      'application/problem+json',
    ]) {
      expect(isJsonMediaType(ok), ok).toBe(true);
    }
    for (const bad of [
      undefined,
      '',
      'text/plain',
      'application/jsonp',
      'application/json; charset=latin1',
      'multipart/form-data',
    ]) {
      expect(isJsonMediaType(bad), String(bad)).toBe(false);
    }
  });

  it('give the precise error for each fault, size first', () => {
    expect(thrownApiError(() => parseJsonBody(Buffer.alloc(11, 'a'), 'application/json', 10))).toBeInstanceOf(
      PayloadTooLargeError,
    );
    expect(thrownApiError(() => parseJsonBody(Buffer.alloc(0), 'application/json', 10)).code).toBe(
      'body_required',
    );
    expect(thrownApiError(() => parseJsonBody(Buffer.from('{}'), 'text/plain', 10))).toBeInstanceOf(
      UnsupportedMediaTypeError,
    );
    const malformed = thrownApiError(() => parseJsonBody(Buffer.from('{"a":'), 'application/json', 100));
    expect(malformed.code).toBe('malformed_json');
    expect(parseJsonBody(Buffer.from('{"a":1}'), 'application/json', 100)).toEqual({ a: 1 });
  });

  it('decode base64 bodies as API Gateway sends binary ones', () => {
    expect(decodeBody(Buffer.from('{"a":1}').toString('base64'), true).toString()).toBe('{"a":1}');
    expect(decodeBody(undefined, false).length).toBe(0);
  });
});

describe('validation errors', () => {
  const schema = z.strictObject({
    readings: z.array(z.strictObject({ soc: z.number().check(z.maximum(100)) })),
    name: z.string(),
  });

  it('name each bad field with its location, path and code', () => {
    const error = thrownApiError(() =>
      parseOrThrow(schema, { readings: [{ soc: 1 }, { soc: 101, x: 1 }], extra: true }, 'body'),
    ) as ValidationError;
    expect(error.code).toBe('validation_failed');
    expect(error.errors).toEqual(
      expect.arrayContaining([
        // zod/mini has no messages of its own: zod's English ones are installed (shared/schema.ts).
        {
          in: 'body',
          field: 'readings[1].soc',
          code: 'too_big',
          message: 'Too big: expected number to be <=100',
        },
        { in: 'body', field: 'readings[1].x', code: 'unrecognized_field', message: "Unknown field 'x'." },
        { in: 'body', field: 'extra', code: 'unrecognized_field', message: "Unknown field 'extra'." },
        { in: 'body', field: 'name', code: 'required', message: 'This field is required.' },
      ]),
    );
    expect(error.errors).toHaveLength(4);
  });

  it('format paths with indexes', () => {
    expect(formatPath(['a', 0, 'b', 12])).toBe('a[0].b[12]');
    expect(formatPath([])).toBe('');
    expect(
      fieldErrorsFromZod('query', z.object({ n: z.number() }).safeParse({ n: 'x' }).error!)[0],
    ).toMatchObject({
      in: 'query',
      field: 'n',
      code: 'invalid_type',
    });
  });
});

describe('problem mapping', () => {
  const awsError = (name: string, status?: number) =>
    Object.assign(new Error(name), { name, $metadata: status ? { httpStatusCode: status } : {} });

  it('turns DynamoDB throttling, timeouts and 5xx into 503 with Retry-After', () => {
    for (const error of [
      awsError('ProvisionedThroughputExceededException', 400),
      awsError('ThrottlingException', 400),
      awsError('RequestLimitExceeded', 400),
      awsError('InternalServerError', 500),
      awsError('SomethingNew', 503),
      awsError('TimeoutError'),
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    ]) {
      expect(isTransientAwsError(error), error.name).toBe(true);
      const mapped = toApiError(error);
      expect(mapped).toBeInstanceOf(ServiceUnavailableError);
      expect(mapped?.headers['Retry-After']).toBe('1');
    }
  });

  it('leaves client faults and programming errors alone (they are not retryable)', () => {
    expect(toApiError(awsError('ValidationException', 400))).toBeUndefined();
    expect(toApiError(new TypeError('x'))).toBeUndefined();
  });

  it('builds RFC 9457 documents with the code, its type URL and per-field errors', () => {
    const error = new ValidationError('validation_failed', 'bad', {
      errors: [{ in: 'body', field: 'a', code: 'x', message: 'm' }],
    });
    expect(problemDocument(error, '/v1/x', 'req-1')).toEqual({
      type: '/problems/validation_failed',
      title: 'Bad Request',
      status: 400,
      detail: 'bad',
      code: 'validation_failed',
      instance: '/v1/x',
      requestId: 'req-1',
      errors: [{ in: 'body', field: 'a', code: 'x', message: 'm' }],
    });
  });
});

describe('path matching (API Gateway semantics)', () => {
  it('matches one segment per parameter and the rest for a greedy one', () => {
    expect(compilePath('/v1/entities/{entityId}').match('/v1/entities/abc')).toEqual({ entityId: 'abc' });
    expect(compilePath('/v1/entities/{entityId}').match('/v1/entities/a/b')).toBeUndefined();
    expect(compilePath('/v1/entities/{entityId}').match('/v1/entities/')).toBeUndefined();
    expect(compilePath('/files/{path+}').match('/files/a/b/c')).toEqual({ path: 'a/b/c' });
    expect(compilePath('/v1/a.b').match('/v1/aXb')).toBeUndefined();
  });

  it('prefers literal segments over parameters', () => {
    expect(specificity('/v1/entities/export')).toBeGreaterThan(specificity('/v1/entities/{entityId}'));
  });
});

describe('ids and time zones', () => {
  it('makes UUIDv7 ids that sort by creation time', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(a[19]);
    expect(a < b).toBe(true);
  });

  it('accepts IANA zone names and UTC, nothing else', () => {
    for (const zone of ['UTC', 'Europe/Amsterdam', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'])
      expect(isIanaTimeZone(zone), zone).toBe(true);
    for (const zone of ['Mars/Olympus', '+01:00', '', 'Europe/', '../etc'])
      expect(isIanaTimeZone(zone), zone).toBe(false);
  });
});
