import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ed25519Verify, sha256 } from '../adapters/crypto/index.js';
import { parseTrustedKeys, verifyEvidenceBundle } from '../core/evidence/index.js';
import type { EvidenceVerification, TrustedKeys } from '../core/evidence/index.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';

/** Largest evidence bundle file read, bytes. */
export const MAX_BUNDLE_FILE_BYTES = 256 * 1024 * 1024;

/** Largest trusted keys file read, bytes. */
export const MAX_TRUSTED_KEYS_FILE_BYTES = 1024 * 1024;

const USAGE = `Usage:
  armistice verify BUNDLE [--trusted-keys FILE] [--json]

Verifies an evidence bundle (GET /api/v1/incidents/{id}/evidence) offline.
  --trusted-keys FILE  verifier keys you trust, one per line (log keys and witness keys),
                       with an optional line 'quorum N'; without it the bundle's own keys
                       are used, which shows consistency, not who signed
  --json               print the whole result as JSON
Exit status: 0 verified, 1 not verified (or unreadable), 2 usage error.`;

/** Reads a file of at most `max` bytes as UTF-8; a CliError with `exitCode` if it cannot. */
function readText(io: CliIo, file: string, what: string, max: number, exitCode: number): string {
  const full = path.resolve(io.cwd, file);
  let size: number;
  try {
    const stat = statSync(full);
    if (!stat.isFile()) throw new CliError(`${what} '${file}' is not a file`, exitCode);
    size = stat.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${what} '${file}': ${(error as Error).message}`, exitCode);
  }
  if (size > max) {
    throw new CliError(`${what} '${file}' is ${size} bytes; the limit is ${max}`, exitCode);
  }
  try {
    return readFileSync(full, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} '${file}': ${(error as Error).message}`, exitCode);
  }
}

function loadTrustedKeys(io: CliIo, file: string): TrustedKeys {
  const text = readText(io, file, 'trusted keys file', MAX_TRUSTED_KEYS_FILE_BYTES, 2);
  const parsed = parseTrustedKeys(sha256, text);
  if (!parsed.ok) {
    throw new CliError(`${file}${parsed.line > 0 ? `:${parsed.line}` : ''}: ${parsed.message}`, 2);
  }
  return parsed.value;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function printSummary(io: CliIo, file: string, result: EvidenceVerification, keys: string): void {
  const s = result.summary;
  const witnesses = s.witnesses
    .map((w) => (w.cosignedAt ? `${w.name} at ${w.cosignedAt}` : w.name))
    .join(', ');
  const released =
    s.sourceCount !== null && s.sourceCount !== s.sources
      ? ` (${s.sources} of the incident's ${s.sourceCount} released)`
      : '';
  println(io.stdout, `${file}: VERIFIED`);
  println(io.stdout, `  incident     ${s.incidentId ?? '?'} (status ${s.incidentStatus ?? '?'})`);
  println(io.stdout, `  checkpoint   ${s.origin ?? '?'}, size ${s.checkpointSize ?? '?'}`);
  println(io.stdout, `  root hash    ${s.rootHash ?? '?'}`);
  println(io.stdout, `  signed by    ${s.logSigners.join(', ')}`);
  println(
    io.stdout,
    `  cosigned by  ${plural(s.witnesses.length, 'witness', 'witnesses')}, quorum ${s.quorum ?? '?'}` +
      (witnesses ? `: ${witnesses}` : ''),
  );
  println(
    io.stdout,
    `  leaves       ${s.leavesVerified} of ${s.leaves} included in the checkpoint: ` +
      `${plural(s.sources, 'source')}${released}, ${plural(s.transitions, 'transition')}`,
  );
  println(io.stdout, `  keys         ${keys}`);
}

/**
 * `armistice verify BUNDLE [--trusted-keys FILE] [--json]`: verifies an evidence bundle with
 * no network. Exit 0 with a summary when it verifies; 1 with every failure when it does not
 * (or cannot be read); 2 for a usage error or an unusable trusted keys file.
 */
export async function verifyCommand(io: CliIo, args: string[]): Promise<number> {
  try {
    return run(io, args);
  } catch (error) {
    // Handled here as well as in main(), so that the command stands alone.
    if (error instanceof CliError) {
      println(io.stderr, error.message);
      return error.exitCode;
    }
    const code = error instanceof TypeError ? (error as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      println(io.stderr, `${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

function run(io: CliIo, args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'trusted-keys': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    println(io.stdout, USAGE);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new CliError(USAGE);
  const keysFile = values['trusted-keys'];
  const trusted = keysFile === undefined ? undefined : loadTrustedKeys(io, keysFile);

  const text = readText(io, file, 'evidence bundle', MAX_BUNDLE_FILE_BYTES, 1);
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (error) {
    println(io.stderr, `${file}: NOT VERIFIED: not JSON: ${(error as Error).message}`);
    return 1;
  }
  const result = verifyEvidenceBundle(bundle, { sha256, ed25519Verify }, trusted);

  if (values.json) {
    println(io.stdout, JSON.stringify(result, null, 2));
  } else if (result.ok) {
    printSummary(
      io,
      file,
      result,
      keysFile ? `trusted, from ${keysFile}` : 'from the bundle itself',
    );
  }
  if (!values.json) {
    for (const w of result.warnings) println(io.stderr, `warning: ${w}`);
  }
  if (result.ok) return 0;
  if (!values.json) {
    println(io.stderr, `${file}: NOT VERIFIED: ${plural(result.failures.length, 'failure')}`);
    for (const f of result.failures) {
      println(io.stderr, `  ${f.code}${f.where ? ` at ${f.where}` : ''}: ${f.message}`);
    }
  }
  return 1;
}
