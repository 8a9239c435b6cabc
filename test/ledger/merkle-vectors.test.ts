import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  inclusionProof,
  subtreeConsistencyProof,
  subtreeHash,
  subtreeInclusionProof,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from '../../src/core/ledger/index.js';
import { createMemoryLog, hasher } from './memory-log.js';

// transparency-dev/merkle testdata, see shared/data/README.md.
const ROOT = fileURLToPath(new URL('../../../shared/data/merkle-testdata/', import.meta.url));

interface Vector {
  file: string;
  data: Record<string, unknown>;
}

function load(folder: string): Vector[] {
  const out: Vector[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) {
        out.push({ file: path.relative(ROOT, p), data: JSON.parse(readFileSync(p, 'utf8')) });
      }
    }
  };
  walk(path.join(ROOT, folder));
  return out;
}

function bytes(v: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(v as string, 'base64'));
}

function hashes(v: unknown): Uint8Array[] {
  return ((v as string[] | null) ?? []).map(bytes);
}

// Sizes and indexes are JSON numbers; one vector has 2^63 + 2, which JSON.parse rounds to
// 2^63. Any size beyond 2^53 − 1 is rejected as INVALID_ARGUMENT, which is what it must be.
const num = (v: unknown): number => v as number;

// The vectors' trees hold the RFC 6962 test leaves of transparency-dev/merkle; a subtree
// vector's subtree [start, end) holds them from `start` on, repeated every 8 leaves.
const RFC6962_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => hasher.hashLeaf(Buffer.from(h, 'hex')));

function logFrom(start: number) {
  const log = createMemoryLog();
  log.append(Array.from({ length: 16 }, (_, j) => RFC6962_LEAVES[(((j - start) % 8) + 8) % 8]!));
  return log;
}

const FOLDERS = ['inclusion', 'consistency', 'subtreeinclusion', 'subtreeconsistency'] as const;

function verify(folder: (typeof FOLDERS)[number], d: Record<string, unknown>) {
  switch (folder) {
    case 'inclusion':
      return verifyInclusion(
        hasher,
        bytes(d.leafHash),
        num(d.leafIdx),
        num(d.treeSize),
        hashes(d.proof),
        bytes(d.root),
      );
    case 'consistency':
      return verifyConsistency(
        hasher,
        num(d.size1),
        num(d.size2),
        hashes(d.proof),
        bytes(d.root1),
        bytes(d.root2),
      );
    case 'subtreeinclusion':
      return verifySubtreeInclusion(
        hasher,
        bytes(d.leafHash),
        num(d.leafIdx),
        num(d.start),
        num(d.end),
        hashes(d.proof),
        bytes(d.root),
      );
    case 'subtreeconsistency':
      return verifySubtreeConsistency(
        hasher,
        num(d.start),
        num(d.end),
        num(d.size),
        hashes(d.proof),
        bytes(d.root1),
        bytes(d.root2),
      );
  }
}

/** For a happy-path vector, the proof and roots our stored-hash log generates for it. */
function generate(folder: (typeof FOLDERS)[number], d: Record<string, unknown>) {
  const r = logFrom(typeof d.start === 'number' ? d.start : 0).read;
  switch (folder) {
    case 'inclusion':
      return {
        proof: inclusionProof(hasher, num(d.leafIdx), num(d.treeSize), r),
        roots: [treeHash(hasher, num(d.treeSize), r)],
        want: [d.root],
      };
    case 'consistency':
      return {
        proof: consistencyProof(hasher, num(d.size1), num(d.size2), r),
        roots: [treeHash(hasher, num(d.size1), r), treeHash(hasher, num(d.size2), r)],
        want: [d.root1, d.root2],
      };
    case 'subtreeinclusion':
      return {
        proof: subtreeInclusionProof(hasher, num(d.leafIdx), num(d.start), num(d.end), r),
        roots: [subtreeHash(hasher, num(d.start), num(d.end), r)],
        want: [d.root],
      };
    case 'subtreeconsistency':
      return {
        proof: subtreeConsistencyProof(hasher, num(d.start), num(d.end), num(d.size), r),
        roots: [subtreeHash(hasher, num(d.start), num(d.end), r), treeHash(hasher, num(d.size), r)],
        want: [d.root1, d.root2],
      };
  }
}

describe.each(FOLDERS)('merkle-testdata/%s', (folder) => {
  const vectors = load(folder);

  it('has vectors', () => {
    expect(vectors.length).toBeGreaterThan(20);
  });

  it.each(vectors.map((v) => [v.file, v] as const))('%s', (_file, { data }) => {
    const result = verify(folder, data);
    if (data.wantErr) {
      expect(result.ok, `${data.desc} must be rejected`).toBe(false);
    } else {
      expect(result, `${data.desc} must verify`).toEqual({ ok: true });
    }
  });

  const happy = vectors.filter((v) => /happy-path/.test(v.file));
  it.each(happy.map((v) => [v.file, v] as const))(
    'generates the proof of %s',
    (_file, { data }) => {
      const got = generate(folder, data);
      expect(got.proof.map((h) => Buffer.from(h).toString('base64'))).toEqual(data.proof ?? []);
      expect(got.roots.map((h) => Buffer.from(h).toString('base64'))).toEqual(got.want);
    },
  );
});
