import type { Readable, Writable } from 'node:stream';

/** The streams and environment a command runs with (tests pass their own). */
export interface CliIo {
  /** Standard input. */
  readonly stdin: Readable;
  /** Standard output. */
  readonly stdout: Writable;
  /** Standard error. */
  readonly stderr: Writable;
  /** Current time, Unix ms. */
  readonly now: () => number;
  /** Working directory for relative paths. */
  readonly cwd: string;
}

/** A command's failure with a message for the user and an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** The process exit code: 1 for invalid input, 2 for a usage error. */
  readonly exitCode: number;
  /** Creates an error that the CLI prints and exits with. */
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Writes a line to a stream. */
export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
