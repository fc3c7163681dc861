// A charging station for tests of the OCPP-J gateway: ocpp-rpc's own RPCClient, strict (OCA 2.0.1
// schemas) and speaking ocpp2.0.1 with Basic auth, as a real charger connects. Calls the gateway sends
// are queued so a test can await them in order; handlers answer them.

import { RPCClient } from 'ocpp-rpc';

export interface ReceivedCall {
  method: string;
  params: Record<string, any>;
}

export interface TestStation {
  client: RPCClient;
  /** The next call the gateway sends this station (answered by the handler for its method). */
  nextCall(method: string, timeoutMs?: number): Promise<ReceivedCall>;
  call<T = any>(method: string, params: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

type Answer = (params: Record<string, any>) => unknown;

/** Default answers: accept every remote start and stop, nothing queued. */
const DEFAULT_ANSWERS: Record<string, Answer> = {
  RequestStartTransaction: () => ({ status: 'Accepted' }),
  RequestStopTransaction: () => ({ status: 'Accepted' }),
  GetTransactionStatus: () => ({ messagesInQueue: false }),
};

export async function connectStation(
  endpoint: string,
  identity: string,
  password: string | undefined,
  answers: Record<string, Answer> = {},
  protocols = ['ocpp2.0.1'],
): Promise<TestStation> {
  const client = new RPCClient({
    endpoint,
    identity,
    ...(password === undefined ? {} : { password }),
    protocols,
    strictMode: true,
    reconnect: false,
  } as ConstructorParameters<typeof RPCClient>[0]);
  const received: ReceivedCall[] = [];
  const waiters: Array<() => void> = [];
  const handlers = { ...DEFAULT_ANSWERS, ...answers };
  client.handle(async ({ method, params }) => {
    received.push({ method: method as string, params: params ?? {} });
    for (const wake of waiters.splice(0)) wake();
    const answer = handlers[method as string];
    if (!answer) throw new Error(`no answer for ${method}`);
    return (await answer(params ?? {})) as Record<string, any>;
  });
  await client.connect();
  return {
    client,
    async nextCall(method, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = received.findIndex((c) => c.method === method);
        if (index >= 0) return received.splice(index, 1)[0] as ReceivedCall;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${identity}: no ${method} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    call: (method, params) => client.call(method, params) as Promise<any>,
    async close() {
      await client.close({ code: 1000 });
    },
  };
}
