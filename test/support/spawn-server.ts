import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

const BIN = new URL('../../bin/armistice.js', import.meta.url).pathname;

/** A running `armistice serve` child process. */
export interface SpawnedServer {
  /** The process. */
  readonly child: ChildProcess;
  /** Base URL it printed, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once it exited (set up before any signal is sent). */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `armistice serve ARGS` as a child process (as `npm start` does) and resolves once it
 * prints its URL; rejects if it exits first.
 */
export function spawnServer(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+?)\/\s/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1], output: () => out, exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
}
