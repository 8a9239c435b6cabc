import { readFileSync } from 'node:fs';
import { demoCommand } from './demo-command.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';
import { scoreCommand } from './score-command.js';
import { serveCommand } from './serve-command.js';
import { simulateCommand } from './simulate-command.js';
import { ledgerCommand } from './ledger-command.js';
import { verifyCommand } from './verify-command.js';
import { witnessCommand } from './witness-command.js';
import { zonesCommand } from './zones-command.js';

const HELP = `armistice - ceasefire monitoring along a demilitarized buffer zone

Commands:
  serve [--db FILE] [--port N] [--host H] [--zones SPEC] [--rules FILE] [--sensors FILE]
        [--no-sim] [--scenario FILE] [--seed N] [--speed X] [--log-level L] [--no-zone-index]
        [--ledger-key FILE] [--previous-ledger-key FILE] [--ledger-origin NAME]
        [--witnesses FILE] [--quorum N]
        [--checkpoint-interval S]
                               the server with the live demo (npm start)
  simulate --scenario FILE --seed N [--speed X] --target URL --key KEY [--truth OUT]
                               drive a server with a scenario through its public API
  score --truth FILE --target URL --key KEY
                               precision, recall and latency of its incidents
  ledger check --db FILE [--vkey VKEY]...
                               recompute the evidence ledger from its stored leaves and
                               check every stored hash and checkpoint
  ledger rotate-key (--db FILE | --key FILE)
                               a new signing key; the old one signs too until retired
  verify BUNDLE [--trusted-keys FILE] [--json]
                               verify an incident's evidence bundle offline
  witness --log URL --key FILE --state DIR [--log-key VKEY] [--once] [--interval S]
                               witness a ledger: check consistency, then cosign
  witness keygen --name NAME --out FILE
                               a new witness key; prints its verifier key
  demo                         walk through the notional demo zone set
  zones build SPEC [-o OUT]    build the zones in force as GeoJSON
  zones validate SPEC          list every fault of a zone spec with its JSON path
  zones classify --zones SPEC  classify NDJSON positions from stdin
  help, --help                 this text
  --version                    the version`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'zones':
        return await zonesCommand(io, rest);
      case 'serve':
        return await serveCommand(io, rest);
      case 'simulate':
        return await simulateCommand(rest, io);
      case 'score':
        return await scoreCommand(rest, io);
      case 'ledger':
        return await ledgerCommand(io, rest);
      case 'verify':
        return await verifyCommand(io, rest);
      case 'witness':
        return await witnessCommand(io, rest);
      case 'demo':
        return await demoCommand(io, rest);
      case '--version':
        println(io.stdout, version());
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        println(io.stdout, HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command '${command}'\n\n${HELP}`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      println(io.stderr, error.message);
      return error.exitCode;
    }
    if (
      error instanceof TypeError &&
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      println(io.stderr, error.message);
      return 2;
    }
    throw error;
  }
}

/** The real process's streams and clock. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    now: () => Date.now(),
    cwd: process.cwd(),
  };
}
