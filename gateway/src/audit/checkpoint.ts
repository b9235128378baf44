import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { verifyCheckpointSignature } from '../keys/index.js';

/** Names this log in every signed checkpoint, so a signature cannot be replayed elsewhere. */
export const AUDIT_LOG_ID = 'sidep-gateway-audit/v1';
/** The `prev` of checkpoint 1. */
export const GENESIS = '0'.repeat(64);

/** What a checkpoint signs (RFC 8785 JSON): a CT-style signed tree head chained to its predecessor. */
export interface CheckpointBody {
  log: typeof AUDIT_LOG_ID;
  number: number;
  /** The batch: events whose transaction id is in [xactFrom, xactTo). */
  xactFrom: string;
  xactTo: string;
  size: number;
  /** RFC 6962 Merkle tree hash of the batch's leaves in sequence order, hex. */
  root: string;
  /** `checkpointHash` of checkpoint number − 1, hex; GENESIS for the first. */
  prev: string;
  sealedAt: string;
}

/** A checkpoint as the sink, `audit prove` and `audit export` carry it. */
export interface SignedCheckpoint {
  body: string;
  keyVersion: number;
  signature: string;
}

/** The canonical bytes of a checkpoint body. */
export function encodeCheckpoint(body: CheckpointBody): string {
  return canonicalize(body) as string;
}

/** The chain link: SHA-256 of the signed body, hex. */
export function checkpointHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** Parses a signed body; undefined when it is not one of ours. */
export function parseCheckpoint(body: string): CheckpointBody | undefined {
  try {
    const b = JSON.parse(body) as CheckpointBody;
    return b.log === AUDIT_LOG_ID && encodeCheckpoint(b) === body ? b : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the checkpoint's signature verifies under the public key of its version.
 * @example checkpointSignatureValid(cp, { 1: 'base64 raw key' });
 */
export function checkpointSignatureValid(cp: SignedCheckpoint, publicKeys: Record<number, string>): boolean {
  const key = publicKeys[cp.keyVersion];
  return key !== undefined && verifyCheckpointSignature(key, Buffer.from(cp.body, 'utf8'), cp.signature);
}
