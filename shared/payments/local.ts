// The built-in payment provider: holds kept in the table (`PAYHOLD#<id>`), for running the product
// without a payment service (development, demos, operators who bill separately). A hold is authorized
// as soon as it is created, as if the driver's card were approved at once; capture, cancel and refund
// are conditional updates, so each is idempotent and a hold is captured at most once.

import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PaymentRefs } from '../public-charging/session.js';
import { documentClient, tableName } from '../storage/client.js';
import { conditionalWrite, isConditionFailure } from '../storage/conditions.js';
import type { CaptureResult, HoldRequest, PaymentProvider } from './provider.js';

export const LOCAL_PUBLISHABLE_KEY = 'pk_local_evsessions';

/** Kept well past any session's life, so a refund within the token's retention still finds its hold. */
const HOLD_RETENTION_SECONDS = 90 * 86_400;

export const paymentHoldKeys = {
  primary: (paymentId: string) => ({ pk: `PAYHOLD#${paymentId}`, sk: 'PAYHOLD' }),
};
const holdKey = paymentHoldKeys.primary;

type HoldStatus = 'requires_capture' | 'succeeded' | 'canceled';

interface HoldItem {
  paymentId: string;
  clientSecret: string;
  amount: number;
  currency: string;
  status: HoldStatus;
  amountCaptured: number;
  amountRefunded: number;
}

async function getHold(paymentId: string): Promise<HoldItem | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: holdKey(paymentId), ConsistentRead: true }),
  );
  return Item as HoldItem | undefined;
}

async function conditionalUpdate(
  paymentId: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  return conditionalWrite(
    documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: holdKey(paymentId),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

function refsOf(hold: HoldItem): PaymentRefs {
  return {
    provider: 'local',
    paymentId: hold.paymentId,
    clientSecret: hold.clientSecret,
    publishableKey: LOCAL_PUBLISHABLE_KEY,
    accountId: null,
  };
}

export function createLocalPaymentProvider(clock: () => Date = () => new Date()): PaymentProvider {
  return {
    name: 'local',

    async createHold(request: HoldRequest) {
      const paymentId = `lpi_${request.sessionId.replaceAll('-', '')}`;
      const hold: HoldItem = {
        paymentId,
        clientSecret: `${paymentId}_secret_${randomBytes(18).toString('base64url')}`,
        amount: request.amount,
        currency: request.currency,
        status: 'requires_capture',
        amountCaptured: 0,
        amountRefunded: 0,
      };
      try {
        await documentClient().send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...holdKey(paymentId),
              itemType: 'LocalPaymentHold',
              ...hold,
              description: request.description,
              ttl: Math.ceil(clock().getTime() / 1000) + HOLD_RETENTION_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return refsOf(hold);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = await getHold(paymentId); // a retried creation answers the first hold
        if (!existing) throw error;
        return refsOf(existing);
      }
    },

    async isAuthorized(payment) {
      const hold = await getHold(payment.paymentId);
      return hold?.status === 'requires_capture' || hold?.status === 'succeeded';
    },

    async capture(payment, amount): Promise<CaptureResult> {
      const captured = await conditionalUpdate(
        payment.paymentId,
        'SET #status = :succeeded, amountCaptured = :amount',
        '#status = :open AND amount >= :amount',
        { ':succeeded': 'succeeded', ':open': 'requires_capture', ':amount': amount },
      );
      if (captured) return { ok: true, amountCaptured: amount };
      const hold = await getHold(payment.paymentId);
      if (hold?.status === 'succeeded') return { ok: true, amountCaptured: hold.amountCaptured };
      if (hold?.status === 'requires_capture') return { ok: false, reason: 'amount_exceeds_hold' };
      return { ok: false, reason: 'canceled' };
    },

    async cancel(payment) {
      await conditionalUpdate(payment.paymentId, 'SET #status = :canceled', '#status = :open', {
        ':canceled': 'canceled',
        ':open': 'requires_capture',
      });
    },

    async refund(payment, amount) {
      const refunded = await conditionalUpdate(
        payment.paymentId,
        'SET amountRefunded = :amount',
        '#status = :succeeded AND amountCaptured >= :amount',
        { ':succeeded': 'succeeded', ':amount': amount },
      );
      if (!refunded) {
        const hold = await getHold(payment.paymentId);
        if (hold?.amountRefunded !== amount) {
          throw new Error(`local hold ${payment.paymentId} cannot refund ${amount}`);
        }
      }
    },
  };
}

/** For tests and the local runner's operators: the hold as stored. */
export async function inspectLocalHold(paymentId: string) {
  return getHold(paymentId);
}
