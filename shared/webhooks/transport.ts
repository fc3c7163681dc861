// Sends one signed webhook request (secondary adapter). The receiver's name is resolved here, every
// address it resolves to is checked (shared/webhooks/addresses.ts), and the connection is made to the
// address that was checked — the socket's own lookup is replaced, so DNS rebinding cannot swap in a
// private address between the check and the connect. TLS still verifies the certificate for the name.

import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { type AddressPolicy, addressBytes, isAllowedAddress } from './addresses.js';
import type { AttemptResult } from './domain.js';

export interface SignedRequest {
  url: string;
  secret: string;
  /** `webhook-id`: the same on every attempt of one delivery, so receivers can de-duplicate. */
  messageId: string;
  payload: string;
  /** When the request is sent: `webhook-timestamp`, which receivers check against their clock. */
  sentAt: Date;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface TransportOptions extends AddressPolicy {
  timeoutMs: number;
  /** DNS resolution (tests substitute one that answers what an attacker's DNS would). */
  resolve?: Resolver;
}

/** Standard Webhooks' three headers, signed with the endpoint's secret. */
export function signedHeaders(request: SignedRequest): Record<string, string> {
  const signature = new Webhook(request.secret).sign(request.messageId, request.sentAt, request.payload);
  return {
    'webhook-id': request.messageId,
    'webhook-timestamp': String(Math.floor(request.sentAt.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The one address to connect to, after checking all of them; an error text when any is refused. */
export async function resolveChecked(
  hostname: string,
  options: Pick<TransportOptions, 'allowLoopback' | 'resolve'>,
): Promise<{ address: string; family: number } | { error: string }> {
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (addressBytes(literal)) {
    return isAllowedAddress(literal, options)
      ? { address: literal, family: literal.includes(':') ? 6 : 4 }
      : { error: `refused: ${literal} is not a public address` };
  }
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (options.resolve ?? defaultResolve)(literal);
  } catch (error) {
    return { error: `DNS lookup failed (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (addresses.length === 0) return { error: 'DNS lookup found no address' };
  // All of them, not only the first: which one a client picks is not ours to predict.
  const refused = addresses.find((a) => !isAllowedAddress(a.address, options));
  if (refused) return { error: `refused: ${literal} resolves to ${refused.address}, not a public address` };
  return addresses[0]!;
}

/** POSTs the payload; resolves with the status code or what went wrong (never throws). */
export async function sendWebhook(request: SignedRequest, options: TransportOptions): Promise<AttemptResult> {
  const url = new URL(request.url);
  // The 10 s cover the name's resolution too: a DNS server that never answers is a timeout like any other.
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const target = await Promise.race([
    resolveChecked(url.hostname, options),
    new Promise<{ error: string }>((resolve) => {
      timer = setTimeout(
        () => resolve({ error: `timed out after ${options.timeoutMs / 1000} s (DNS)` }),
        options.timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  if ('error' in target) return target;
  const remainingMs = Math.max(1, options.timeoutMs - (Date.now() - started));
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    } else callback(null, target.address, target.family);
  };
  const body = Buffer.from(request.payload);
  const requestOptions: RequestOptions = {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'evsessions-webhooks/1',
      ...signedHeaders(request),
    },
    lookup: pinned,
    // A fresh connection per attempt: a pooled socket would skip the resolution and check above.
    agent: false,
    timeout: remainingMs,
    signal: AbortSignal.timeout(remainingMs),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptResult>((resolve) => {
    const req = send(url, requestOptions, (response) => {
      // The status is the answer; the body is not ours to keep: drained and dropped (a receiver streaming
      // without end is cut by the timeout's abort). Redirects are not followed: a 3xx is retried as a failure.
      resolve({ statusCode: response.statusCode ?? 0 });
      response.on('error', () => {});
      response.resume();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const timedOut =
        error.name === 'AbortError' || error.name === 'TimeoutError' || error.message === 'timeout';
      resolve({
        error: timedOut
          ? `timed out after ${options.timeoutMs / 1000} s`
          : `request failed (${error.code ?? error.message})`,
      });
    });
    req.end(body);
  });
}
