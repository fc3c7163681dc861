// A webhook receiver for tests: a real node:http server on 127.0.0.1 that verifies every request with the
// `standardwebhooks` reference implementation and answers what the test says (200 unless told).

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The verified payload: `{ type, timestamp, data }`. */
  payload: { type: string; timestamp: string; data: any };
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests whose signature did not verify (answered 401); a test expects none. */
  rejected: { headers: IncomingHttpHeaders; body: string; reason: string }[];
  /** The secret to verify with; set once the endpoint is registered. */
  secret: string | undefined;
  /** The status to answer the n-th request (1-based); 200 by default. `'hang'` never answers. */
  answer: (n: number) => number | 'hang';
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let count = 0;
  const hanging = new Set<import('node:http').ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    rejected: [],
    secret: undefined,
    answer: () => 200,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let payload: ReceivedWebhook['payload'];
      try {
        payload = new Webhook(receiver.secret ?? '').verify(
          body,
          request.headers as Record<string, string>,
        ) as any;
      } catch (error) {
        receiver.rejected.push({ headers: request.headers, body, reason: String(error) });
        response.writeHead(401).end();
        return;
      }
      const status = receiver.answer(++count);
      if (status === 'hang') {
        hanging.add(response);
        return;
      }
      receiver.received.push({ headers: request.headers, body, payload, status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
