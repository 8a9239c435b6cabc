import { Type } from 'typebox';
import type { App } from '../../app/index.js';
import { assembleEvidenceBundle } from '../../core/evidence/index.js';
import { decodeBase64, encodeBase64 } from '../../core/ledger/index.js';
import { ErrorBodySchema } from './api-schemas.js';
import type { Server } from './create-http-server.js';
import { principalOf, send } from './create-http-server.js';
import { errorBody } from './http-errors.js';
import { incidentView, sourceView } from './views.js';

const Errors = { 400: ErrorBodySchema, 404: ErrorBodySchema };
const Count = (description: string) => Type.Integer({ minimum: 0, maximum: 2 ** 52, description });
const Proof = Type.Array(Type.String({ description: 'Base64 of a 32-byte SHA-256 hash.' }), {
  description: 'The proof hashes, in RFC 9162 order.',
});

/** Largest cosignature request: one signature line and a size. */
const COSIGNATURE_BODY_LIMIT = 4096;

/**
 * Registers the evidence ledger's public routes (docs/ledger.md): checkpoints, keys, proofs and
 * witness cosignatures. They reveal hashes and signatures, never the content of a record, so
 * they need no key; a cosignature is its own credential.
 */
export function registerLedgerRoutes(server: Server, app: App): void {
  server.get(
    '/api/v1/ledger/checkpoint',
    {
      schema: {
        summary: 'The newest checkpoint',
        description:
          'The signed checkpoint note (c2sp.org/tlog-checkpoint, c2sp.org/signed-note): the ' +
          "log's Ed25519 signature, then the witnesses' cosignatures (c2sp.org/tlog-cosignature) " +
          'collected so far. With `published=true`, the newest checkpoint with the quorum of ' +
          'witness cosignatures.',
        tags: ['ledger'],
        querystring: Type.Object({
          published: Type.Optional(Type.Boolean({ description: 'Only a published checkpoint.' })),
        }),
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'The signed note.' }), ...Errors },
      },
    },
    async (request, reply) => {
      const result = await app.ledger.checkpoint(request.query.published ?? false);
      if (result.ok) reply.type('text/plain; charset=utf-8');
      return send(reply, result, (note) => note);
    },
  );

  server.get(
    '/api/v1/ledger/keys',
    {
      schema: {
        summary: 'The verifier keys of the log and its witnesses',
        description:
          'Signed-note verifier keys (`name+keyid+base64`): the log key(s) (type 0x01) and the ' +
          'witness keys (type 0x04), with the number of cosignatures a checkpoint needs.',
        tags: ['ledger'],
        response: {
          200: Type.Object({
            origin: Type.String(),
            log: Type.Array(Type.String(), {
              description: 'Keys that sign checkpoints now, the current key first.',
            }),
            retired: Type.Array(Type.String(), {
              description: 'Keys retired by a rotation, which signed older checkpoints.',
            }),
            witnesses: Type.Array(Type.String()),
            quorum: Type.Integer({ minimum: 0 }),
          }),
        },
      },
    },
    async () => {
      const k = app.ledger.keys();
      return {
        origin: k.origin,
        log: [...k.log],
        retired: [...k.retired],
        witnesses: [...k.witnesses],
        quorum: k.quorum,
      };
    },
  );

  server.get(
    '/api/v1/ledger/proof/inclusion',
    {
      schema: {
        summary: 'Inclusion proof of a leaf',
        description: 'RFC 9162 §2.1.3 proof that leaf `index` is in the tree of `size` leaves.',
        tags: ['ledger'],
        querystring: Type.Object({
          index: Count('Leaf index, below size.'),
          size: Count('Tree size, at most the current size.'),
        }),
        response: {
          200: Type.Object({ index: Type.Integer(), size: Type.Integer(), proof: Proof }),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      const { index, size } = request.query;
      return send(reply, await app.ledger.inclusionProof(index, size), (proof) => ({
        index,
        size,
        proof: proof.map(encodeBase64),
      }));
    },
  );

  server.get(
    '/api/v1/ledger/proof/consistency',
    {
      schema: {
        summary: 'Consistency proof between two tree sizes',
        description:
          'RFC 9162 §2.1.4 proof that the tree of `from` leaves is a prefix of the tree of `to`.',
        tags: ['ledger'],
        querystring: Type.Object({
          from: Count('Older size, at least 1.'),
          to: Count('Newer size, at most the current size.'),
        }),
        response: {
          200: Type.Object({ from: Type.Integer(), to: Type.Integer(), proof: Proof }),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      const { from, to } = request.query;
      return send(reply, await app.ledger.consistencyProof(from, to), (proof) => ({
        from,
        to,
        proof: proof.map(encodeBase64),
      }));
    },
  );

  server.post(
    '/api/v1/ledger/cosignatures',
    {
      bodyLimit: COSIGNATURE_BODY_LIMIT,
      schema: {
        summary: "Submit a witness's cosignature",
        description:
          'A cosignature/v1 signature line over the checkpoint of `size`, by a witness key the ' +
          'mission configured. 403 for an unknown key, 422 when it does not verify.',
        tags: ['ledger'],
        body: Type.Object(
          {
            size: Count('Size of the checkpoint cosigned.'),
            cosignature: Type.String({
              maxLength: 1024,
              description: 'The signature line, `— <name> <base64>`.',
            }),
            rootHash: Type.Optional(
              Type.String({
                maxLength: 64,
                description:
                  'Base64 root hash of the checkpoint the witness cosigned; 409 when the log ' +
                  'signed another root at that size (a split view).',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            accepted: Type.Boolean({ description: 'False: this key had cosigned already.' }),
            cosignatures: Type.Integer(),
            published: Type.Boolean(),
          }),
          ...Errors,
          403: ErrorBodySchema,
          409: ErrorBodySchema,
          422: ErrorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const { size, cosignature, rootHash } = request.body;
      const root = rootHash === undefined ? undefined : decodeBase64(rootHash);
      if (rootHash !== undefined && root?.length !== 32) {
        return reply
          .code(400)
          .send(
            errorBody({ code: 'INVALID_INPUT', message: 'rootHash is not base64 of 32 bytes' }),
          );
      }
      return send(reply, await app.ledger.addCosignature(size, cosignature, root), (r) => r);
    },
  );

  server.get(
    '/api/v1/incidents/:id/evidence',
    {
      schema: {
        summary: "An incident's evidence bundle",
        description:
          'A self-contained bundle (docs/evidence-bundles.md): the incident and its decisions, ' +
          'its source observations as released to the caller, each as a ledger leaf with an ' +
          'inclusion proof against one published checkpoint, and the verifier keys. Check it ' +
          'offline with `armistice verify`. 503 (NOT_YET_WITNESSED) until witnesses have ' +
          'cosigned a checkpoint that covers it.',
        tags: ['incidents', 'ledger'],
        params: Type.Object({ id: Type.String({ maxLength: 128, description: 'Incident id.' }) }),
        response: {
          200: Type.Unknown({ description: 'The bundle (armistice-evidence-bundle/1).' }),
          ...Errors,
          401: ErrorBodySchema,
          403: ErrorBodySchema,
          503: ErrorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const result = await app.ledger.evidence(principalOf(request), request.params.id);
      return send(reply, result, (parts) =>
        assembleEvidenceBundle({
          origin: parts.keys.origin,
          generatedAtMs: app.nowMs(),
          incident: incidentView(parts.incident),
          sources: parts.sources.map(sourceView),
          checkpointNote: parts.checkpointNote,
          leaves: parts.leaves,
          proofs: parts.proofs,
          keys: {
            log: [...parts.keys.log],
            witnesses: [...parts.keys.witnesses],
            quorum: parts.keys.quorum,
          },
        }),
      );
    },
  );
}
