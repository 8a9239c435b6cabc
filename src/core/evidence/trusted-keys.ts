import { SIGNATURE_TYPE_ED25519, parseVerifierKey } from '../ledger/index.js';
import type { Sha256 } from '../ledger/index.js';
import { MAX_BUNDLE_KEYS } from './bundle.js';

/**
 * The keys a verifier trusts, independently of any bundle: the log's verifier keys, the
 * witnesses' verifier keys and how many witnesses must cosign.
 */
export interface TrustedKeys {
  /** Verifier keys (type 0x01 Ed25519) of the log. */
  readonly log: readonly string[];
  /** Verifier keys (type 0x04 cosignature/v1) of the witnesses. */
  readonly witnesses: readonly string[];
  /** Least number of distinct witnesses that must cosign; the bundle's if absent. */
  readonly quorum?: number;
}

/** The result of reading a trusted keys file: the keys, or the line at fault and why. */
export type TrustedKeysParse =
  { ok: true; value: TrustedKeys } | { ok: false; line: number; message: string };

/** Largest trusted keys file read, in characters. */
export const MAX_TRUSTED_KEYS_CHARS = 1 << 20;

/**
 * Reads a key list: one verifier key per line (type 0x01, a log key, or type 0x04, a witness
 * cosignature key: the key itself says which), an optional line `quorum N`, and blank lines and
 * `#` comment lines, which are ignored. Leading and trailing spaces are ignored. Every key must
 * parse and its key ID must match. The same format serves `armistice verify --trusted-keys` and
 * `armistice serve --witnesses`.
 */
export function parseKeyList(sha256: Sha256, text: string): TrustedKeysParse {
  if (text.length > MAX_TRUSTED_KEYS_CHARS) {
    return { ok: false, line: 0, message: `over ${MAX_TRUSTED_KEYS_CHARS} characters` };
  }
  const log: string[] = [];
  const witnesses: string[] = [];
  let quorum: number | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    const n = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    const q = /^quorum\s+(\S+)$/.exec(line);
    if (q) {
      const value = q[1] as string;
      if (quorum !== undefined) return { ok: false, line: n, message: 'a second quorum line' };
      if (!/^(0|[1-9][0-9]{0,2})$/.test(value) || Number(value) > MAX_BUNDLE_KEYS) {
        return {
          ok: false,
          line: n,
          message: `quorum must be a whole number from 0 to ${MAX_BUNDLE_KEYS}`,
        };
      }
      quorum = Number(value);
      continue;
    }
    const key = parseVerifierKey(sha256, line);
    if (!key.ok) return { ok: false, line: n, message: `not a verifier key: ${key.message}` };
    const into = key.value.type === SIGNATURE_TYPE_ED25519 ? log : witnesses;
    if (into.length >= MAX_BUNDLE_KEYS) {
      return { ok: false, line: n, message: `more than ${MAX_BUNDLE_KEYS} keys of one type` };
    }
    if (!into.includes(line)) into.push(line);
  }
  return {
    ok: true,
    value: quorum === undefined ? { log, witnesses } : { log, witnesses, quorum },
  };
}

/** Reads a trusted keys file (`parseKeyList`), which must name at least one log key. */
export function parseTrustedKeys(sha256: Sha256, text: string): TrustedKeysParse {
  const parsed = parseKeyList(sha256, text);
  if (parsed.ok && parsed.value.log.length === 0) {
    return { ok: false, line: 0, message: 'no log key (a verifier key of type 0x01)' };
  }
  return parsed;
}
