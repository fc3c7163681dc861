// Webhook delivery under `npm start`: the dispatcher every minute (what EventBridge Scheduler runs on AWS,
// for retries), and the deliveries each `record` makes attempted straight away in this process, so a local
// receiver gets an event within seconds of it happening.

import { attemptDelivery, dispatchDue } from '../../shared/webhooks/delivery.js';
import { deliverInProcess } from '../../shared/webhooks/outbox.js';

const report = (message: string) => (error: unknown) =>
  console.error(JSON.stringify({ level: 'error', message, error: String(error) }));

/** Starts both; returns the function that stops them. */
export function startInProcessDispatch(everyMs = 60_000): () => void {
  const timer = setInterval(() => {
    dispatchDue(new Date()).catch(report('webhook dispatch failed'));
  }, everyMs);
  timer.unref();
  const stopListening = deliverInProcess((deliveries) => {
    // Not awaited: the producer's request answers without waiting for receivers.
    for (const delivery of deliveries) {
      attemptDelivery(delivery, new Date()).catch(
        report('webhook attempt failed (the next dispatch retries it)'),
      );
    }
  });
  return () => {
    clearInterval(timer);
    stopListening();
  };
}
