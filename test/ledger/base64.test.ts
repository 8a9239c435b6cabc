import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/core/ledger/base64.js';

const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('latin1') : b);

describe('base64 (RFC 4648 §4)', () => {
  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes and decodes the §10 vector %j', (plain, encoded) => {
    expect(encodeBase64(Buffer.from(plain, 'latin1'))).toBe(encoded);
    expect(text(decodeBase64(encoded))).toBe(plain);
  });

  it('round-trips any bytes like node:buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = encodeBase64(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(encoded)).toEqual(bytes);
      }),
    );
  });

  it.each(['Zg', 'Zg=', 'Zh==', 'Zm9=', 'Z===', 'Zm9v\n', 'Zm 9v', 'Zm9v-_==', '=Zm9', 'Zg==Zg=='])(
    'rejects %j: unpadded, non-canonical or outside the alphabet',
    (bad) => {
      expect(decodeBase64(bad)).toBeUndefined();
    },
  );
});
