import { Readable, Writable } from 'node:stream';
import { CliError } from '../../src/cli/io.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** A command's exit code and what it printed. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** In-memory streams for a CLI command, and what was written to them so far. */
export function captureIo(options: { cwd: string; now?: () => number; stdin?: string }): {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        into.push(String(chunk));
        callback();
      },
    });
  const stdin = options.stdin ?? '';
  return {
    io: {
      stdin: Readable.from(stdin === '' ? [] : [stdin]),
      stdout: sink(out),
      stderr: sink(err),
      now: options.now ?? Date.now,
      cwd: options.cwd,
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** Runs a command with captured streams; a CliError becomes its message and exit code, as in main(). */
export async function runCli(
  command: (io: CliIo, args: string[]) => Promise<number>,
  args: string[],
  options: { cwd: string; now?: () => number; stdin?: string },
): Promise<CliRun> {
  const c = captureIo(options);
  try {
    const code = await command(c.io, args);
    return { code, stdout: c.stdout(), stderr: c.stderr() };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { code: error.exitCode, stdout: c.stdout(), stderr: c.stderr() + error.message };
  }
}

/** `armistice ARGS` as a command for `runCli`. */
export const armistice = (io: CliIo, args: string[]): Promise<number> => main(args, io);
