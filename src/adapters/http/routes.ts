import { Type } from 'typebox';
import type { App } from '../../app/index.js';
import { parseRfc3339 } from '../../core/observations/index.js';
import {
  CoverageQuerySchema,
  CoverageViewSchema,
  ErrorBodySchema,
  IncidentListQuerySchema,
  IncidentViewSchema,
  IngestResultSchema,
  ObservationListQuerySchema,
  ObservationViewSchema,
  PageSchema,
  SensorHealthViewSchema,
  SensorSchema,
  SourceViewSchema,
  TransitionBodySchema,
} from './api-schemas.js';
import type { Server } from './create-http-server.js';
import { principalOf, send } from './create-http-server.js';
import { decodeObservations } from './decode-observations.js';
import { errorBody } from './http-errors.js';
import { healthView, incidentView, observationView, sourceView } from './views.js';

const Errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
};
const IdParams = Type.Object({ id: Type.String({ maxLength: 128, description: 'Record id.' }) });
const msOf = (t: string | undefined) => (t === undefined ? undefined : parseRfc3339(t));
const JsonDocument = Type.Unknown({ description: 'A JSON document.' });

function bboxOf(text: string | undefined): [number, number, number, number] | undefined {
  if (!text) return undefined;
  const v = text.split(',').map(Number) as [number, number, number, number];
  return v.every(Number.isFinite) ? v : undefined;
}

/** Registers the REST routes of /api/v1. Handlers only translate; the use cases decide. */
export function registerRoutes(server: Server, app: App): void {
  server.post(
    '/api/v1/observations',
    {
      schema: {
        summary: 'Submit observations',
        description:
          'A JSON array of observations (docs/observations.md), a GeoJSON FeatureCollection of ' +
          'them, or NDJSON (application/x-ndjson). Valid records are kept even when others are ' +
          'refused; the answer comes after they are committed.',
        tags: ['observations'],
        body: Type.Unknown(),
        response: {
          200: IngestResultSchema,
          ...Errors,
          413: ErrorBodySchema,
          415: ErrorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const decoded = decodeObservations(request.headers['content-type'] ?? '', request.body);
      if (!decoded.ok) {
        return reply
          .code(decoded.status)
          .send(errorBody({ code: decoded.code as 'INVALID_JSON', message: decoded.message }));
      }
      const result = await app.ingestObservations(principalOf(request), decoded.records);
      return send(reply, result, (r) => r);
    },
  );

  server.get(
    '/api/v1/observations',
    {
      schema: {
        summary: 'List observations',
        tags: ['observations'],
        querystring: ObservationListQuerySchema,
        response: { 200: PageSchema(ObservationViewSchema, 'Observations.'), ...Errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const bbox = bboxOf(q.bbox);
      if (q.bbox && !bbox) {
        return reply.code(400).send(
          errorBody({
            code: 'INVALID_INPUT',
            message: 'bbox must be west,south,east,north in degrees',
          }),
        );
      }
      const result = await app.incidents.listObservations(principalOf(request), {
        ...(q.from && { fromMs: msOf(q.from) }),
        ...(q.to && { toMs: msOf(q.to) }),
        ...(bbox && { bbox }),
        ...(q.zone && { zone: q.zone }),
        ...(q.sensor && { sensorId: q.sensor }),
        ...(q.kind && { kind: q.kind }),
        ...(q.cursor && { cursor: q.cursor }),
        limit: q.limit ?? 100,
      });
      return send(reply, result, (p) => ({
        items: p.items.map(observationView),
        nextCursor: p.nextCursor,
      }));
    },
  );

  server.get(
    '/api/v1/zones',
    {
      schema: {
        summary: 'The zone spec in force',
        description: 'The spec (docs/zones.md); its version is in the X-Zone-Spec-Version header.',
        tags: ['zones'],
        response: { 200: JsonDocument, ...Errors },
      },
    },
    async (request, reply) => {
      const result = await app.reference.getZones(principalOf(request));
      if (result.ok && !result.value) {
        return reply
          .code(404)
          .send(errorBody({ code: 'NOT_FOUND', message: 'no zone spec loaded' }));
      }
      if (result.ok && result.value)
        reply.header('x-zone-spec-version', String(result.value.version));
      return send(reply, result, (v) => v?.body);
    },
  );

  server.get(
    '/api/v1/zones.geojson',
    {
      schema: {
        summary: 'The zones in force now, as GeoJSON',
        tags: ['zones'],
        querystring: Type.Object({ at: Type.Optional(Type.String({ format: 'date-time' })) }),
        response: { 200: JsonDocument, ...Errors },
      },
    },
    async (request, reply) => {
      const atMs = request.query.at ? parseRfc3339(request.query.at) : app.nowMs();
      const result = await app.reference.zonesGeoJson(principalOf(request), atMs);
      if (result.ok) reply.type('application/geo+json');
      return send(reply, result, (g) => g);
    },
  );

  server.put(
    '/api/v1/zones',
    {
      schema: {
        summary: 'Replace the zone spec',
        description: 'Stores a new version (history is kept) and puts it in force.',
        tags: ['zones'],
        body: JsonDocument,
        response: {
          200: Type.Object({ version: Type.Integer({ description: 'The new version.' }) }),
          ...Errors,
        },
      },
    },
    async (request, reply) =>
      send(reply, await app.reference.putZones(principalOf(request), request.body), (v) => ({
        version: v.version,
      })),
  );

  server.get(
    '/api/v1/zones/history',
    {
      schema: {
        summary: 'Every zone spec version',
        tags: ['zones'],
        response: {
          200: Type.Array(
            Type.Object({
              version: Type.Integer(),
              actor: Type.String(),
              createdAt: Type.String({ format: 'date-time' }),
            }),
          ),
          ...Errors,
        },
      },
    },
    async (request, reply) =>
      send(reply, await app.reference.zoneHistory(principalOf(request)), (list) =>
        list.map((v) => ({
          version: v.version,
          actor: v.actor,
          createdAt: new Date(v.createdAtMs).toISOString(),
        })),
      ),
  );

  server.get(
    '/api/v1/rules',
    {
      schema: {
        summary: 'The rule set in force',
        tags: ['rules'],
        response: { 200: JsonDocument, ...Errors },
      },
    },
    async (request, reply) => {
      const result = await app.reference.getRules(principalOf(request));
      if (result.ok && !result.value) {
        return reply
          .code(404)
          .send(errorBody({ code: 'NOT_FOUND', message: 'no rule set loaded' }));
      }
      return send(reply, result, (v) => v?.body);
    },
  );

  server.put(
    '/api/v1/rules',
    {
      schema: {
        summary: 'Replace the rule set',
        description: 'Rules as data (docs/rules.md). Stores a new version and puts it in force.',
        tags: ['rules'],
        body: JsonDocument,
        response: { 200: Type.Object({ version: Type.Integer() }), ...Errors },
      },
    },
    async (request, reply) =>
      send(reply, await app.reference.putRules(principalOf(request), request.body), (v) => ({
        version: v.version,
      })),
  );

  server.get(
    '/api/v1/sensors',
    {
      schema: {
        summary: 'Registered sensors',
        tags: ['sensors'],
        response: { 200: Type.Object({ items: Type.Array(SensorSchema) }), ...Errors },
      },
    },
    async (request, reply) =>
      send(reply, await app.reference.listSensors(principalOf(request)), (items) => ({ items })),
  );

  server.get(
    '/api/v1/sensors/:id',
    {
      schema: {
        summary: 'One sensor',
        tags: ['sensors'],
        params: IdParams,
        response: { 200: SensorSchema, ...Errors },
      },
    },
    async (request, reply) =>
      send(reply, await app.reference.getSensor(principalOf(request), request.params.id), (s) => s),
  );

  server.put(
    '/api/v1/sensors/:id',
    {
      schema: {
        summary: 'Register or replace a sensor',
        description: '201 when created, 200 when replaced.',
        tags: ['sensors'],
        params: IdParams,
        body: JsonDocument,
        response: { 200: SensorSchema, 201: SensorSchema, ...Errors },
      },
    },
    async (request, reply) => {
      const result = await app.reference.putSensor(
        principalOf(request),
        request.params.id,
        request.body,
      );
      return send(reply, result, (r) => r.sensor, result.ok && result.value.created ? 201 : 200);
    },
  );

  server.get(
    '/api/v1/sensors/:id/health',
    {
      schema: {
        summary: 'Health of a sensor',
        tags: ['sensors'],
        params: IdParams,
        response: { 200: SensorHealthViewSchema, ...Errors },
      },
    },
    async (request, reply) =>
      send(
        reply,
        await app.reference.sensorHealth(principalOf(request), request.params.id),
        healthView,
      ),
  );

  server.get(
    '/api/v1/incidents',
    {
      schema: {
        summary: 'List incidents',
        description: 'Newest first.',
        tags: ['incidents'],
        querystring: IncidentListQuerySchema,
        response: { 200: PageSchema(IncidentViewSchema, 'Incidents.'), ...Errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const result = await app.incidents.listIncidents(principalOf(request), {
        ...(q.status && { status: q.status }),
        ...(q.zone && { zone: q.zone }),
        ...(q.sector && { sector: q.sector }),
        ...(q.rule && { ruleId: q.rule }),
        ...(q.severity && { severity: q.severity }),
        ...(q.from && { fromMs: msOf(q.from) }),
        ...(q.to && { toMs: msOf(q.to) }),
        ...(q.cursor && { cursor: q.cursor }),
        limit: q.limit ?? 100,
      });
      return send(reply, result, (p) => ({
        items: p.items.map(incidentView),
        nextCursor: p.nextCursor,
      }));
    },
  );

  server.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        summary: 'One incident with its sources',
        tags: ['incidents'],
        params: IdParams,
        response: {
          200: Type.Object({ incident: IncidentViewSchema, sources: Type.Array(SourceViewSchema) }),
          ...Errors,
        },
      },
    },
    async (request, reply) =>
      send(
        reply,
        await app.incidents.getIncident(principalOf(request), request.params.id),
        (d) => ({
          incident: incidentView(d.incident),
          sources: d.sources.map(sourceView),
        }),
      ),
  );

  server.post(
    '/api/v1/incidents/:id/transitions',
    {
      schema: {
        summary: 'Change the status of an incident',
        description:
          'detected → under-review → verified | not-substantiated | unable-to-verify → closed; a ' +
          'verdict may go back to under-review. 409 for a change the lifecycle does not allow.',
        tags: ['incidents'],
        params: IdParams,
        body: TransitionBodySchema,
        response: { 200: IncidentViewSchema, ...Errors, 409: ErrorBodySchema },
      },
    },
    async (request, reply) =>
      send(
        reply,
        await app.incidents.transition(
          principalOf(request),
          request.params.id,
          request.body.to,
          request.body.reason,
        ),
        incidentView,
      ),
  );

  server.get(
    '/api/v1/coverage',
    {
      schema: {
        summary: 'Coverage of a zone over a window, and its blind spots',
        description:
          'What share of the zone the sensors observed between from and to (at most 31 days; ' +
          'the window ends at the server clock at the latest), for how much of the window, ' +
          'where they did not (a GeoJSON FeatureCollection of blind spots), and each ' +
          "sensor's part. The zone's geometry is the one in force at from (docs/api.md).",
        tags: ['coverage'],
        querystring: CoverageQuerySchema,
        response: { 200: CoverageViewSchema, ...Errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const result = await app.coverage(principalOf(request), {
        zoneId: q.zone,
        fromMs: parseRfc3339(q.from),
        toMs: parseRfc3339(q.to),
        ...(q.resolution !== undefined && { resolution: q.resolution }),
      });
      const iso = (ms: number) => new Date(ms).toISOString();
      return send(reply, result, (c) => ({
        zone: c.zoneId,
        zoneSpecVersion: c.zoneSpecVersion,
        from: iso(c.fromMs),
        to: iso(c.toMs),
        resolution: c.resolution,
        totalCells: c.totalCells,
        observedCells: c.observedCells,
        areaFraction: c.areaFraction,
        timeFraction: c.timeFraction,
        inRangeFraction: c.inRangeFraction,
        blindSpots: c.blindSpots,
        sensors: c.sensors.map(({ reportValidityMs, ...s }) => ({
          ...s,
          reportValidityS: reportValidityMs === null ? null : reportValidityMs / 1000,
        })),
      }));
    },
  );

  server.get(
    '/api/v1/status',
    {
      schema: {
        summary: 'Live counts and sensor health',
        tags: ['status'],
        response: { 200: JsonDocument, ...Errors },
      },
    },
    async (request, reply) =>
      send(reply, await app.status(principalOf(request)), (s) => ({
        now: new Date(s.nowMs).toISOString(),
        zoneSpecVersion: s.zoneSpecVersion,
        ruleSetVersion: s.ruleSetVersion,
        counts: s.counts,
        sensors: s.sensors.map(healthView),
      })),
  );
}
