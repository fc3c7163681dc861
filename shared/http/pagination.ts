// The page envelope every list operation answers with, after DER-Connect's:
// `{ data, links: { next }, meta: { continuationToken, pageSize } }`.

import * as z from 'zod/mini';
import type { Page, Position } from '../storage/page.js';
import { type CursorBinding, openCursor, sealCursor } from './cursor.js';
import { cursorSecret } from './cursor-secret.js';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** A `pageSize` query parameter: an integer 1–`max` read from the query string, `fallback` when left out. */
export function pageSizeParameter(max: number, fallback: number, description: string) {
  return z
    ._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(max)), fallback)
    .check(z.meta({ description }));
}

/** Query fields shared by every list operation; spread into a route's query schema. */
export const pageQueryFields = {
  pageSize: pageSizeParameter(MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, `Items per page, 1–${MAX_PAGE_SIZE}.`),
  continuationToken: z
    .optional(z.string().check(z.maxLength(4096)))
    .check(z.meta({ description: 'The `meta.continuationToken` of the previous page, unchanged.' })),
};

export const PageLinks = z
  .object({
    next: z
      .nullable(z.string())
      .check(z.meta({ description: 'URL of the next page; null on the last page.' })),
  })
  .check(z.meta({ id: 'PageLinks' }));

export const PageMeta = z
  .object({
    continuationToken: z
      .nullable(z.string())
      .check(z.meta({ description: 'Pass as `continuationToken` for the next page.' })),
    pageSize: z.number().check(z.int()),
  })
  .check(z.meta({ id: 'PageMeta' }));

export function pageSchema<T extends z.core.SomeType>(item: T, id: string) {
  return z.object({ data: z.array(item), links: PageLinks, meta: PageMeta }).check(z.meta({ id }));
}

export interface PageEnvelope<T> {
  data: T[];
  links: { next: string | null };
  meta: { continuationToken: string | null; pageSize: number };
}

export interface PaginateOptions<R, T> {
  binding: CursorBinding;
  pageSize: number;
  continuationToken: string | undefined;
  now: Date;
  /** `baseUrl + path` of the operation, for the next link. */
  url: string;
  /** The query parameters of this request, carried into the next link. */
  query: Record<string, string | number | undefined>;
  fetch(startKey: Position | undefined): Promise<Page<R>>;
  map(record: R): T;
}

/** The URL of the next page: this request's query parameters (undefined ones left out) and the token. */
export function nextPageUrl(
  url: string,
  query: Record<string, string | number | undefined>,
  continuationToken: string,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && name !== 'continuationToken') params.set(name, String(value));
  }
  params.set('continuationToken', continuationToken);
  return `${url}?${params.toString()}`;
}

export async function paginate<R, T>(options: PaginateOptions<R, T>): Promise<PageEnvelope<T>> {
  const secret = await cursorSecret();
  const startKey = options.continuationToken
    ? openCursor(options.continuationToken, options.binding, secret, options.now)
    : undefined;
  const page = await options.fetch(startKey);
  const continuationToken = page.nextKey
    ? sealCursor(page.nextKey, options.binding, secret, options.now)
    : null;
  return {
    data: page.items.map(options.map),
    links: {
      next: continuationToken
        ? nextPageUrl(options.url, { ...options.query, pageSize: options.pageSize }, continuationToken)
        : null,
    },
    meta: { continuationToken, pageSize: options.pageSize },
  };
}
