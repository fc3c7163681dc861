// The OCPP-J gateway's process in its container (infra/ocpp-gateway.ts deploys it on Fargate behind a
// Network Load Balancer that terminates TLS): the gateway on PORT, `GET /health` for the load balancer.
// On SIGTERM (a deployment or a scale-in) it closes every connection, marking each charger offline, and
// exits; the chargers reconnect to another task, which marks them online again.

import { createOcppGateway } from '../../shared/ocpp/gateway.js';

const port = Number(process.env.PORT ?? '8080');
const gateway = createOcppGateway();
const { url } = await gateway.listen(port, process.env.HOST ?? '0.0.0.0');
console.log(JSON.stringify({ level: 'info', message: 'ocpp gateway listening', url }));

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(JSON.stringify({ level: 'error', message: 'close failed', error: String(error) }));
        process.exit(1);
      },
    );
  });
}
