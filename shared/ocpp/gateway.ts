// The OCPP-J gateway: the primary adapter for chargers that connect to us directly (OCPP 2.0.1 over
// WebSocket, security profiles 1–2), beside the HTTP relay (shared/chargers/http.ts) for chargers
// behind an operator's own CSMS. Both adapters call the same use cases (shared/chargers/events.ts):
// a TransactionEvent or StatusNotification does the same thing whichever way it came, and commands
// for a charger are the same stored command items the relay lists at `/commands`.
//
// ocpp-rpc does the protocol: the handshake, OCPP-J framing, message ids and CALLRESULT/CALLERROR
// correlation, call time-outs, pings, and strict validation of every call and result in both directions
// against the OCA 2.0.1 JSON schemas it bundles (an invalid call is answered with a CALLERROR and the
// connection kept). This module decides who may connect, what each call does, and when commands go out.
//
// Commands: a stored command is sent when it is stored (an in-process signal), when its charger
// connects, and at every poll (the only trigger for a gateway in another process than the API). A
// command stays stored until the charger answers it, so one lost to a time-out, a CALLERROR or a
// dropped connection is sent again at the next poll or reconnect; it expires with its session's start
// (5 min) or stop (15 min) timeout, which the session's own timers then apply. After a (re)connect
// nothing is sent until the charger says it has no transaction messages queued (GetTransactionStatus):
// a start it already ran while we could not hear it is then reported by its queued TransactionEvents
// (which move the session on and withdraw the start) instead of being sent a second time.

import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRPCError, type RPCClient, RPCServer } from 'ocpp-rpc';
import * as events from '../chargers/events.js';
import { ApiError, ValidationError } from '../errors.js';
import { parseOrThrow } from '../http/validation.js';
import { logger } from '../logger.js';
import { StatusNotificationRequest, TransactionEventRequest } from '../public-charging/ocpp.js';
import type { ChargerCommandRecord } from '../storage/chargers.js';
import { onCommand } from './command-signal.js';
import {
  authenticateStation,
  authorizeIdToken,
  type StationIdentity,
  stationConnected,
  stationDisconnected,
} from './stations.js';

export const OCPP_PROTOCOL = 'ocpp2.0.1';
/** The path a station connects to, before its identity: `/ocpp/<stationId>`. */
export const OCPP_PATH = '/ocpp';
/**
 * The Heartbeat interval a BootNotification is answered with. The WebSocket pings (below) already
 * detect a dead connection; heartbeats only keep the charger's clock in step, so 5 minutes is plenty.
 */
export const HEARTBEAT_INTERVAL_SECONDS = 300;

/**
 * Wrong passwords a station may present in a clock minute; further handshakes of that station are refused
 * (429) until the minute ends, without reading or hashing anything. A charger retries a few times at most
 * after a password change; a guesser (codes are printed on chargers) gets no further, and no more of the
 * task's CPU than five scrypt checks a minute per station. Counted per task, in memory.
 */
export const FAILED_HANDSHAKES_PER_MINUTE = 5;

/** Failed handshakes per station in the current minute. */
class HandshakeFailures {
  private readonly counts = new Map<string, number>();
  private minute = -1;

  private roll(at: Date) {
    const minute = Math.floor(at.getTime() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
  }

  exhausted(code: string, at: Date): boolean {
    this.roll(at);
    return (this.counts.get(code) ?? 0) >= FAILED_HANDSHAKES_PER_MINUTE;
  }

  record(code: string, at: Date): void {
    this.roll(at);
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
  }
}

export interface OcppGatewayOptions {
  /** The clock; each message reads it once. */
  now?: () => Date;
  /** How often each connected charger's stored commands are checked (ms); 5 s by default. */
  commandPollMs?: number;
  /** How long a command waits for its CALLRESULT before it counts as lost (ms); 30 s by default. */
  callTimeoutMs?: number;
  /** WebSocket ping interval (ms): a charger that stops answering is disconnected after one missed pong. */
  pingIntervalMs?: number;
}

export interface OcppGateway {
  /** Handles an HTTP upgrade on `/ocpp/<stationId>`; any other path is answered 404. */
  handleUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void;
  /** Stations connected to this gateway now. */
  connections(): number;
  /** Listens on its own port, with `GET /health` for a load balancer's health check. */
  listen(port: number, host: string): Promise<{ url: string; server: Server }>;
  /** Closes every connection (their chargers go offline) and the server `listen` started. */
  close(): Promise<void>;
}

type RpcServerClient = RPCClient & { session: { station: StationIdentity; connectionId: string } };

const log = logger.child({ area: 'ocpp-gateway' });

/** Application errors as the OCPP-J error codes a charger understands (and retries on, for InternalError). */
function toRpcError(error: unknown): Error {
  if (error instanceof ValidationError) {
    return createRPCError('PropertyConstraintViolation', error.message, {
      errors: error.errors ?? [],
    }) as unknown as Error;
  }
  if (error instanceof ApiError && error.status < 500) {
    return createRPCError('GenericError', error.message, { code: error.code }) as unknown as Error;
  }
  log.error('ocpp call failed', { error });
  return createRPCError('InternalError', 'The call could not be processed; retry it.') as unknown as Error;
}

export function createOcppGateway(options: OcppGatewayOptions = {}): OcppGateway {
  const now = options.now ?? (() => new Date());
  const pollMs = options.commandPollMs ?? 5_000;
  const server = new RPCServer({
    protocols: [OCPP_PROTOCOL],
    strictMode: true,
    callTimeoutMs: options.callTimeoutMs ?? 30_000,
    pingIntervalMs: options.pingIntervalMs ?? 60_000,
  });
  const links = new Map<string, StationLink>();
  const failures = new HandshakeFailures();
  const servers: Server[] = [];

  server.auth((accept, rejectUpgrade, handshake) => {
    // Every refusal is logged with what the station sent: the only record of a charger that cannot connect.
    const reject = (status: number, message: string) => {
      log.warn('handshake refused', {
        status,
        identity: handshake.identity,
        path: handshake.endpoint,
        protocols: [...handshake.protocols],
        remoteAddress: handshake.remoteAddress,
      });
      rejectUpgrade(status, message);
    };
    if (handshake.endpoint !== OCPP_PATH || handshake.identity === '') {
      reject(404, 'Not found');
      return;
    }
    if (!handshake.protocols.has(OCPP_PROTOCOL)) {
      reject(400, `This server speaks ${OCPP_PROTOCOL} only.`);
      return;
    }
    const code = handshake.identity.toUpperCase();
    if (failures.exhausted(code, now())) {
      reject(429, 'Too many failed attempts; try again in a minute.');
      return;
    }
    authenticateStation(handshake.identity, handshake.password).then(
      (result) => {
        if ('status' in result) {
          if (result.status === 401) failures.record(code, now());
          reject(result.status, result.message);
        } else accept({ station: result, connectionId: randomUUID() }, OCPP_PROTOCOL);
      },
      (error: unknown) => {
        log.error('handshake failed', { identity: handshake.identity, error });
        reject(503, 'Service unavailable');
      },
    );
  });

  server.on('client', (client: RpcServerClient) => {
    const link = new StationLink(client, now, pollMs);
    const code = client.session.station.chargerCode;
    links.get(code)?.replacedBy(link);
    links.set(code, link);
    client.once('close', () => {
      if (links.get(code) === link) links.delete(code);
      void link.inScope(() => link.closed());
    });
    void link.opened();
  });

  const unsubscribe = onCommand((code) => links.get(code)?.pumpSoon());

  return {
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (!path.startsWith(`${OCPP_PATH}/`)) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      void server.handleUpgrade(request, socket, head);
    },
    connections: () => links.size,
    async listen(port, host) {
      const http = createServer((request, response) => {
        const healthy = request.method === 'GET' && request.url === '/health';
        response.writeHead(healthy ? 200 : 404, { 'Content-Type': 'application/json' });
        response.end(healthy ? JSON.stringify({ status: 'ok', connections: links.size }) : '{}');
      });
      // Upgrades run in the context the server was started in (Node gives them the socket's, which has none).
      http.on(
        'upgrade',
        AsyncResource.bind((request: IncomingMessage, socket: Socket, head: Buffer) =>
          this.handleUpgrade(request, socket, head),
        ),
      );
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve());
      });
      servers.push(http);
      const address = http.address() as AddressInfo;
      return { url: `ws://${host}:${address.port}${OCPP_PATH}`, server: http };
    },
    async close() {
      unsubscribe();
      const open = [...links.values()];
      await server.close({ code: 1001, reason: 'Server shutting down' });
      // Each connection's own close handler marks its charger offline; wait for those writes.
      await Promise.all(open.map((link) => link.settled));
      for (const http of servers.splice(0)) {
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      }
    },
  };
}

/** One connected station: its call handlers, and the commands waiting for it. */
class StationLink {
  private readonly station: StationIdentity;
  private readonly connectionId: string;
  private readonly inFlight = new Set<string>();
  private pumping: Promise<void> | null = null;
  private again = false;
  private open = true;
  /** Until the charger says its queue of transaction messages is empty, no command goes out. */
  private queueDrained = false;
  private timer: NodeJS.Timeout | undefined;
  private connectedWrite: Promise<void> = Promise.resolve();
  private closedWrite: Promise<void> | null = null;

  constructor(
    private readonly client: RpcServerClient,
    private readonly now: () => Date,
    private readonly pollMs: number,
  ) {
    this.station = client.session.station;
    this.connectionId = client.session.connectionId;
    this.handleCalls();
    client.on('strictValidationFailure', (event: { method: string; outbound: boolean; error: Error }) => {
      log.warn('ocpp message failed validation', {
        chargerCode: this.station.chargerCode,
        method: event.method,
        outbound: event.outbound,
        error: event.error.message,
      });
    });
  }

  /** Resolves when the connection's offline write (if it closed) is done. */
  get settled(): Promise<void> {
    return this.closedWrite ?? this.connectedWrite;
  }

  async opened() {
    this.connectedWrite = stationConnected(this.station, this.connectionId, this.now()).catch(
      (error: unknown) => {
        log.error('could not mark the station connected', { chargerCode: this.station.chargerCode, error });
      },
    );
    await this.connectedWrite;
    this.timer = setInterval(() => this.pump(), this.pollMs);
    this.timer.unref();
    this.pump();
  }

  /** A newer connection of the same station took over (the charger reconnected): close this one. */
  replacedBy(_newer: StationLink) {
    this.stop();
    void this.client.close({ code: 1000, reason: 'Replaced by a newer connection' });
  }

  private stop() {
    this.open = false;
    clearInterval(this.timer);
  }

  closed(): Promise<void> {
    this.stop();
    this.closedWrite = this.connectedWrite
      .then(() => stationDisconnected(this.station, this.connectionId, this.now()))
      .catch((error: unknown) => {
        log.error('could not mark the station disconnected', {
          chargerCode: this.station.chargerCode,
          error,
        });
      });
    return this.closedWrite;
  }

  /**
   * The connection's async context, taken when it was accepted: every call it handles and every command it
   * sends runs in it, not in the context of whatever woke it (a socket's data event has none; a command
   * stored by an API request in this process has the request's), so its work is the gateway's.
   */
  private readonly scope = new AsyncResource('OcppStation');

  inScope<T>(work: () => T): T {
    return this.scope.runInAsyncScope(work);
  }

  /** pump(), from outside the connection (a command stored by an API request in this process). */
  pumpSoon(): void {
    this.inScope(() => this.pump());
  }

  /** Sends what is waiting; one pass at a time, and another right after when asked meanwhile. */
  pump(): void {
    if (!this.open) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.sendWaiting()
      .catch((error: unknown) => {
        log.warn('could not send commands; the next poll retries', {
          chargerCode: this.station.chargerCode,
          error,
        });
      })
      .finally(() => {
        this.pumping = null;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async sendWaiting() {
    const { tenantId, chargerCode } = this.station;
    if (!this.queueDrained) {
      if (await this.messagesQueued()) return; // its queued events come first; the next poll asks again
      this.queueDrained = true;
    }
    const commands = await events.listPendingCommands(tenantId, chargerCode, this.now());
    for (const command of commands) {
      if (!this.open) return;
      if (this.inFlight.has(command.commandId)) continue;
      this.inFlight.add(command.commandId);
      void this.send(command).finally(() => this.inFlight.delete(command.commandId));
    }
  }

  /**
   * Whether the charger still holds transaction messages it could not send while it was away. A charger
   * that does not implement GetTransactionStatus cannot tell: it has nothing queued we could wait for.
   */
  private async messagesQueued(): Promise<boolean> {
    try {
      const status = (await this.client.call('GetTransactionStatus', {})) as { messagesInQueue: boolean };
      return status.messagesInQueue;
    } catch (error) {
      const code = (error as { rpcErrorCode?: string }).rpcErrorCode;
      if (code === 'NotImplemented' || code === 'NotSupported') return false;
      throw error;
    }
  }

  /** One command, answered or not: an answer is recorded like the relay's; anything else leaves it stored. */
  private async send(command: ChargerCommandRecord) {
    const { tenantId, chargerCode } = this.station;
    let answer: { status: 'Accepted' | 'Rejected' };
    try {
      answer = (await this.client.call(command.action, command.request)) as typeof answer;
    } catch (error) {
      log.warn('command not answered; sent again at the next poll or reconnect', {
        chargerCode,
        commandId: command.commandId,
        error: (error as Error).message,
      });
      return;
    }
    try {
      await events.recordCommandResult(tenantId, chargerCode, command.commandId, answer.status, this.now());
    } catch (error) {
      // Withdrawn meanwhile (its session gave up, or a twin answer was recorded first): nothing to do.
      if (error instanceof ApiError && error.code === 'command_not_found') return;
      log.error('could not record a command answer', { chargerCode, commandId: command.commandId, error });
    }
  }

  private handleCalls() {
    const { tenantId, chargerCode } = this.station;
    const client = this.client;
    const guarded =
      <P, R>(handler: (params: P) => Promise<R>) =>
      async ({ params }: { params?: Record<string, unknown> }) => {
        try {
          return (await this.inScope(() => handler(params as P))) as Record<string, unknown>;
        } catch (error) {
          throw toRpcError(error);
        }
      };

    client.handle(
      'BootNotification',
      guarded(async () => ({
        currentTime: this.now().toISOString(),
        interval: HEARTBEAT_INTERVAL_SECONDS,
        status: 'Accepted',
      })),
    );
    client.handle(
      'Heartbeat',
      guarded(async () => ({ currentTime: this.now().toISOString() })),
    );
    client.handle(
      'StatusNotification',
      guarded(async (params) => {
        const notification = parseOrThrow(StatusNotificationRequest, params, 'body');
        await events.ingestStatusNotification(tenantId, chargerCode, notification, this.now());
        return {};
      }),
    );
    client.handle(
      'TransactionEvent',
      guarded(async (params) => {
        const event = parseOrThrow(TransactionEventRequest, params, 'body');
        await events.ingestTransactionEvent(tenantId, chargerCode, event, this.now());
        if (event.idToken) {
          return { idTokenInfo: { status: await authorizeIdToken(this.station, event.idToken) } };
        }
        return {};
      }),
    );
    client.handle(
      'Authorize',
      guarded(async (params: { idToken: { idToken: string; type: string } }) => ({
        idTokenInfo: { status: await authorizeIdToken(this.station, params.idToken) },
      })),
    );
    // Sessions meter from TransactionEvents; meter values outside a transaction have no session to go to.
    client.handle(
      'MeterValues',
      guarded(async () => ({})),
    );
  }
}
