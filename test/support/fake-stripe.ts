// A fake Stripe API on loopback, enough of it for public charging: PaymentIntents (create, retrieve,
// capture, cancel) and refunds, with Stripe's form encoding, bearer-key check, idempotency keys, error
// shape (`{ error: { type, code, message } }` with 400/401/500) and Connect's Stripe-Account header.
// Tests play the driver's card with `authorize(id)` and inject outages with `failNext(n)`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  status: 'requires_payment_method' | 'requires_capture' | 'succeeded' | 'canceled';
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  idempotencyKey: string | undefined;
  stripeAccount: string | undefined;
  authorization: string | undefined;
}

export interface FakeStripe {
  url: string;
  intents: Map<string, FakeIntent>;
  refunds: Array<{ id: string; payment_intent: string; amount: number }>;
  requests: RecordedRequest[];
  /** The driver completes the payment in the app: the hold is in place. */
  authorize(intentId: string): void;
  /** The next `count` requests answer 500 (an outage). */
  failNext(count: number): void;
  close(): Promise<void>;
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

export async function startFakeStripe(secretKey: string): Promise<FakeStripe> {
  const intents = new Map<string, FakeIntent>();
  const refunds: FakeStripe['refunds'] = [];
  const requests: RecordedRequest[] = [];
  const idempotent = new Map<string, { status: number; body: unknown }>();
  let failures = 0;
  let counter = 0;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': `req_${++counter}` });
    res.end(text);
  };
  const invalid = (message: string, code = 'payment_intent_unexpected_state') => ({
    status: 400,
    body: { error: { type: 'invalid_request_error', code, message } },
  });

  function handle(
    method: string,
    path: string,
    params: Record<string, string>,
  ): { status: number; body: unknown } {
    if (method === 'POST' && path === '/v1/payment_intents') {
      const id = `pi_fake${++counter}`;
      const intent: FakeIntent = {
        id,
        object: 'payment_intent',
        amount: Number(params.amount),
        amount_capturable: 0,
        amount_received: 0,
        currency: params.currency ?? '',
        capture_method: params.capture_method ?? 'automatic',
        status: 'requires_payment_method',
        client_secret: `${id}_secret_fake${counter}`,
        description: params.description ?? null,
        metadata: Object.fromEntries(
          Object.entries(params)
            .filter(([k]) => k.startsWith('metadata['))
            .map(([k, v]) => [k.slice(9, -1), v]),
        ),
      };
      intents.set(id, intent);
      return { status: 200, body: intent };
    }
    const match = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/.exec(path);
    if (match) {
      const intent = intents.get(match[1] as string);
      if (!intent) return invalid(`No such payment_intent: '${match[1]}'`, 'resource_missing');
      if (method === 'GET' && !match[2]) return { status: 200, body: intent };
      if (method === 'POST' && match[2] === 'capture') {
        if (intent.status !== 'requires_capture') {
          return invalid(
            `This PaymentIntent could not be captured because it has a status of ${intent.status}.`,
          );
        }
        const amount =
          params.amount_to_capture === undefined ? intent.amount : Number(params.amount_to_capture);
        if (amount > intent.amount_capturable) {
          return invalid('The amount to capture exceeds the capturable amount.', 'amount_too_large');
        }
        Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
        return { status: 200, body: intent };
      }
      if (method === 'POST' && match[2] === 'cancel') {
        if (intent.status === 'succeeded' || intent.status === 'canceled') {
          return invalid(`You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`);
        }
        Object.assign(intent, { status: 'canceled', amount_capturable: 0 });
        return { status: 200, body: intent };
      }
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = intents.get(params.payment_intent ?? '');
      const amount = Number(params.amount);
      if (intent?.status !== 'succeeded' || amount > intent.amount_received) {
        return invalid('This PaymentIntent cannot be refunded.', 'charge_not_refundable');
      }
      const refund = { id: `re_fake${++counter}`, object: 'refund', payment_intent: intent.id, amount };
      refunds.push(refund);
      return { status: 200, body: refund };
    }
    return invalid(`Unrecognized request URL (${method}: ${path}).`, 'resource_missing');
  }

  const server: Server = createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] as string;
    const params = method === 'POST' ? await readForm(req) : {};
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const recorded: RecordedRequest = {
      method,
      path,
      params,
      idempotencyKey: header('idempotency-key'),
      stripeAccount: header('stripe-account'),
      authorization: header('authorization'),
    };
    requests.push(recorded);
    if (recorded.authorization !== `Bearer ${secretKey}`) {
      return send(res, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' },
      });
    }
    if (failures > 0) {
      failures--;
      return send(res, 500, { error: { type: 'api_error', message: 'Something went wrong on our end.' } });
    }
    const replayKey = recorded.idempotencyKey && `${method} ${path} ${recorded.idempotencyKey}`;
    const previous = replayKey ? idempotent.get(replayKey) : undefined;
    const answer = previous ?? handle(method, path, params);
    if (replayKey && !previous) idempotent.set(replayKey, JSON.parse(JSON.stringify(answer)));
    send(res, answer.status, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    intents,
    refunds,
    requests,
    authorize(intentId) {
      const intent = intents.get(intentId);
      if (!intent) throw new Error(`no intent ${intentId}`);
      Object.assign(intent, { status: 'requires_capture', amount_capturable: intent.amount });
    },
    failNext(count) {
      failures = count;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
