// Turns zod issues into the API's per-field errors: where the field is, its path, a stable code.

import * as z from 'zod/mini';
import { type FieldError, ValidationError } from '../errors.js';
// zod's English messages, which every field error carries.
import '../schema.js';

export type FieldLocation = FieldError['in'];

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

function issueCode(issue: z.core.$ZodIssue): string {
  // Only issues parsed with `reportInput` carry the input; a missing field is an invalid_type on undefined.
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) return 'required';
  if (issue.code === 'custom') {
    const params = (issue as { params?: { code?: string } }).params;
    if (params?.code) return params.code;
  }
  if (issue.code === 'invalid_format') return `invalid_${(issue as { format?: string }).format ?? 'format'}`;
  return issue.code;
}

export function fieldErrorsFromZod(location: FieldLocation, error: z.core.$ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          in: location,
          field: formatPath([...issue.path, key]),
          code: 'unrecognized_field',
          message: `Unknown field '${key}'.`,
        });
      }
      continue;
    }
    const code = issueCode(issue);
    out.push({
      in: location,
      field: formatPath(issue.path),
      code,
      message: code === 'required' ? 'This field is required.' : issue.message,
    });
  }
  return out;
}

/** Parses `input` with `schema` or throws a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.core.$ZodType>(
  schema: S,
  input: unknown,
  location: FieldLocation,
): z.output<S> {
  const result = z.safeParse(schema, input, { reportInput: true });
  if (result.success) return result.data;
  const errors = fieldErrorsFromZod(location, result.error);
  const names = [...new Set(errors.map((e) => (e.field ? `${location}.${e.field}` : location)))];
  throw new ValidationError('validation_failed', `Invalid ${names.join(', ')}.`, { errors });
}
