// Reads a request body the way every route needs it: JSON only, within a stated size, well-formed.

import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType, ...parameters] = contentType.split(';').map((part) => part.trim());
  if (!mediaType || !JSON_MEDIA_TYPE.test(mediaType)) return false;
  const charset = parameters.find((p) => p.toLowerCase().startsWith('charset='));
  return !charset || /^charset="?utf-8"?$/i.test(charset);
}

export function decodeBody(body: string | undefined, isBase64Encoded: boolean): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  return isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** Parses a JSON request body, or throws the precise 4xx for what is wrong with it. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined, limitBytes: number): unknown {
  if (raw.length > limitBytes) throw new PayloadTooLargeError(limitBytes);
  if (raw.length === 0) {
    throw new ValidationError('body_required', 'This operation needs a JSON body.', {
      errors: [{ in: 'body', field: '', code: 'required', message: 'A JSON body is required.' }],
    });
  }
  if (!isJsonMediaType(contentType)) throw new UnsupportedMediaTypeError(contentType, 'application/json');
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : 'unparseable';
    throw new ValidationError('malformed_json', `The body is not valid JSON: ${detail}.`, {
      errors: [{ in: 'body', field: '', code: 'malformed_json', message: detail }],
    });
  }
}
