import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTestApp } from './test-app.js';

const COMMITTED = new URL('../../docs/openapi.json', import.meta.url);

describe('GET /api/v1/openapi.json', () => {
  it('is the committed docs/openapi.json (UPDATE=1 regenerates it)', async () => {
    const t = await startTestApp();
    try {
      const r = await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      expect(r.statusCode).toBe(200);
      const doc = r.json() as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.0.3');
      for (const p of [
        '/api/v1/observations',
        '/api/v1/incidents',
        '/api/v1/incidents/{id}',
        '/api/v1/incidents/{id}/transitions',
        '/api/v1/sensors/{id}',
        '/api/v1/sensors/{id}/health',
        '/api/v1/zones',
        '/api/v1/zones.geojson',
        '/api/v1/rules',
      ]) {
        expect(Object.keys(doc.paths)).toContain(p);
      }
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      if (process.env.UPDATE) writeFileSync(COMMITTED, text);
      expect(text).toBe(readFileSync(COMMITTED, 'utf8'));
    } finally {
      await t.close();
    }
  });
});
