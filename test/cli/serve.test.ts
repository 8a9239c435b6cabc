import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/armistice.js', import.meta.url).pathname;
const dir = mkdtempSync(path.join(tmpdir(), 'armistice-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('armistice serve (npm start)', () => {
  it('runs the live demo: prints the URL and key, the simulator feeds it, SIGTERM stops it', async () => {
    const db = path.join(dir, 'data', 'armistice.db');
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--db', db, '--port', '0', '--speed', '600', '--seed', '7'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ARMISTICE_ADMIN_KEY: '' } },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waitFor = async (re: RegExp, ms: number) => {
      const start = Date.now();
      while (!re.test(out)) {
        if (Date.now() - start > ms) throw new Error(`timed out waiting for ${re}:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return re.exec(out) as RegExpExecArray;
    };
    try {
      const url = (await waitFor(/running at (http:\/\/\S+?)\/\s/, 30_000))[1] as string;
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
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/Armistice stopped/);
  }, 120_000);
});
