// The OpenAPI document refuses what the server refuses, so a client generated from it (or a fuzzer like
// Schemathesis) does not send requests that are bound to fail. Each case is judged twice: by the
// document's schema (Ajv, JSON Schema 2020-12) and by the zod schema the server validates with.

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { allRoutes } from '../../shared/api/routes.js';
import { buildOpenApiDocument } from '../../shared/http/openapi.js';
import type { RouteSpec } from '../../shared/http/route.js';
import '../../shared/schema.js';

const document = buildOpenApiDocument(allRoutes);
const ajv = new Ajv2020({ strict: false, allErrors: true });
// ajv-formats is CommonJS: under NodeNext its function is the default export or the module itself.
type AddFormats = (ajv: Ajv2020) => void;
(
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats)
)(ajv);
ajv.addSchema({ $id: 'doc', components: document.components });

function route(operationId: string): RouteSpec {
  return allRoutes.find((r) => r.operationId === operationId)!;
}

/** The document's request-body schema of an operation, compiled. */
function documentBody(operationId: string) {
  const r = route(operationId);
  const operation = (document.paths[r.path] as Record<string, any>)[r.method.toLowerCase()];
  const schema = JSON.parse(
    JSON.stringify(operation.requestBody.content['application/json'].schema).replaceAll(
      '"#/components/',
      '"doc#/components/',
    ),
  );
  return ajv.compile(schema);
}

function judged(operationId: string, body: unknown) {
  const server = z.safeParse(route(operationId).body!, body).success;
  return { document: documentBody(operationId)(body), server };
}

const now = new Date().toISOString();
const charger = {
  publicCode: 'AMS-042',
  name: 'Keizersgracht 42',
  entityId: '01900000-0000-7000-8000-000000000001',
  public: true,
  connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150, portId: 'AMS-042-P1' }],
  pricing: { currency: 'EUR', pricePerKwh: 45, startFee: 100, taxRate: 0.2 },
  holdAmount: 5000,
  evchart: { stationId: 'NEVI-AMS-042', networkProvider: 'acme_network' },
};

describe('the document and the server agree on request bodies', () => {
  it.each([
    ['ingestReadings', 'a reading with a measurement', { readings: [{ timestamp: now, soc: 50 }] }, true],
    ['ingestReadings', 'a reading with a timestamp only', { readings: [{ timestamp: now }] }, false],
    [
      'ingestReadings',
      'a reading whose measurements are null',
      { readings: [{ timestamp: now, soc: null }] },
      false,
    ],
    ['createEntity', 'an entity with defaults left out', { type: 'CP', name: 'Depot' }, true],
    ['createEntity', 'a blank name', { type: 'CP', name: '   ' }, false],
    ['createEntity', 'a time-zone offset', { type: 'CP', name: 'Depot', timeZone: '+01:00' }, false],
    [
      'createEntity',
      'a repeated capability',
      { type: 'EV', name: 'Car', capabilities: ['soc', 'soc'] },
      false,
    ],
    ['createCharger', 'the README charger', charger, true],
    [
      'createCharger',
      'an unknown currency',
      { ...charger, pricing: { ...charger.pricing, currency: 'ABC' } },
      false,
    ],
    [
      'createCharger',
      'evchart without a connector portId',
      { ...charger, connectors: [{ connectorId: 1, type: 'CCS2', maxPowerKw: 150 }] },
      false,
    ],
    ['createCharger', 'a portId without evchart', { ...charger, evchart: undefined }, false],
  ] as const)('%s: %s', (operationId, _, body, accepted) => {
    const verdict = judged(operationId, JSON.parse(JSON.stringify(body)));
    expect(verdict).toEqual({ document: accepted, server: accepted });
  });
});

describe('the document refuses what the handler refuses after parsing', () => {
  it('an OCPP frame whose payload is not the action’s', () => {
    const frame = documentBody('postOcppCall');
    const status = { timestamp: now, connectorStatus: 'Available', evseId: 1, connectorId: 1 };
    expect(frame([2, 'm1', 'StatusNotification', status])).toBe(true);
    expect(frame([2, 'm1', 'TransactionEvent', status])).toBe(false);
  });

  it('a JSON page of more than 100 sessions', () => {
    const r = route('listSessions');
    const operation = (document.paths[r.path] as Record<string, any>).get;
    const pageSize = operation.parameters.find((p: { name: string }) => p.name === 'pageSize');
    expect(ajv.validate(pageSize.schema, 100)).toBe(true);
    expect(ajv.validate(pageSize.schema, 101)).toBe(false);
  });

  it('a path token or charger code that cannot exist', () => {
    const parameter = (operationId: string, name: string) => {
      const r = route(operationId);
      const operation = (document.paths[r.path] as Record<string, any>)[r.method.toLowerCase()];
      return ajv.compile(operation.parameters.find((p: { name: string }) => p.name === name).schema);
    };
    const token = parameter('getPublicSession', 'token');
    expect(token(`pcs_${'A'.repeat(32)}`)).toBe(true);
    expect(token('not-a-token')).toBe(false);
    const code = parameter('getPublicCharger', 'code');
    expect(code('ams-042')).toBe(true);
    expect(code('AMS 042!')).toBe(false);
  });
});
