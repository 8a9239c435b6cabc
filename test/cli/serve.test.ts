import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../support/spawn-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'armistice-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('armistice serve (npm start)', () => {
  it('runs the live demo: prints the URL and key, the simulator feeds it, SIGTERM stops it', async () => {
    const db = path.join(dir, 'data', 'armistice.db');
    const server = await spawnServer(['--db', db, '--port', '0', '--speed', '600', '--seed', '7'], {
      ARMISTICE_ADMIN_KEY: '',
    });
    const waitFor = async (re: RegExp, ms: number) => {
      const start = Date.now();
      while (!re.test(server.output())) {
        if (Date.now() - start > ms) {
          throw new Error(`timed out waiting for ${re}:\n${server.output()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return re.exec(server.output()) as RegExpExecArray;
    };
    try {
      const url = server.url;
      const key = (await waitFor(/admin key:\s+(ak_\S+)/, 5000))[1] as string;
      const headers = { authorization: `Bearer ${key}` };
      let observations = 0;
      let sensors = 0;
      const start = Date.now();
      while (observations === 0 && Date.now() - start < 60_000) {
        await new Promise((r) => setTimeout(r, 500));
        const status = (await (await fetch(`${url}/api/v1/status`, { headers })).json()) as {
          counts: { observations: number };
          sensors: unknown[];
        };
        observations = status.counts.observations;
        sensors = status.sensors.length;
      }
      expect(observations).toBeGreaterThan(0);
      expect(sensors).toBeGreaterThan(10);
      const page = await fetch(`${url}/`);
      expect(await page.text()).toMatch(/NOTIONAL/);
      expect(existsSync(path.join(dir, 'data', 'demo-truth.json'))).toBe(true);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/Armistice stopped/);
  }, 120_000);
});
