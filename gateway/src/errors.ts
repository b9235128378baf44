/**
 * The gateway's one error family. Every error a caller can see has a stable `code`;
 * `http/problem.ts` maps each code to an HTTP status in one exhaustive switch. Messages
 * are fixed text: no error ever carries a submitted value.
 */

/** A field at fault, as an RFC 6901 pointer into the submitted body. */
export interface FieldIssue {
  pointer: string;
  code: string;
}

export abstract class GatewayError extends Error {
  abstract readonly code: ProblemCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends GatewayError {
  readonly code = 'validation';
  constructor(readonly errors: FieldIssue[]) {
    super('The submission has invalid fields.');
  }
}

export class MalformedJson extends GatewayError {
  readonly code = 'malformed-json';
  constructor(options?: { cause?: unknown }) {
    super('The body is not valid JSON.', options);
  }
}

export class UnsupportedMediaType extends GatewayError {
  readonly code = 'unsupported-media-type';
  constructor() {
    super('The body must be application/json.');
  }
}

export class PayloadTooLarge extends GatewayError {
  readonly code = 'payload-too-large';
  constructor() {
    super('The body exceeds the size limit.');
  }
}

export class IdempotencyKeyMissing extends GatewayError {
  readonly code = 'idempotency-key-missing';
  constructor() {
    super('The Idempotency-Key header is required.');
  }
}

export class IdempotencyKeyInvalid extends GatewayError {
  readonly code = 'idempotency-key-invalid';
  constructor() {
    super('The Idempotency-Key header must be a UUID.');
  }
}

export class Unauthenticated extends GatewayError {
  readonly code = 'unauthenticated';
  constructor() {
    super('Authentication is required.');
  }
}

export class Forbidden extends GatewayError {
  readonly code: 'forbidden' | 'finess-mismatch' = 'forbidden';
  constructor(code: 'forbidden' | 'finess-mismatch' = 'forbidden') {
    super('The caller may not perform this action.');
    this.code = code;
  }
}

export class NotFound extends GatewayError {
  readonly code = 'not-found';
  constructor() {
    super('No such resource.');
  }
}

export class IdempotencyConflict extends GatewayError {
  readonly code = 'idempotency-conflict';
  constructor() {
    super('This Idempotency-Key was used with another body.');
  }
}

export class DuplicateResult extends GatewayError {
  readonly code = 'duplicate-result';
  constructor(readonly existingId: string) {
    super('A result for this person, test and collection time already exists.');
  }
}

/** The result can no longer be changed (purged, already cancelled, superseded). */
export class ResultNotModifiable extends GatewayError {
  readonly code = 'result-not-modifiable';
  constructor() {
    super('This result can no longer be corrected or cancelled.');
  }
}

/** Why a pharmacy or certificate change conflicts with the registry's state. */
export type RegistryConflictReason = 'pharmacy-exists' | 'pharmacy-inactive' | 'certificate-limit' | 'certificate-exists' | 'already-revoked' | 'ca-issues-nothing'
  | 'pharmacy-active' | 'ca-not-in-process' | 'pharmacy-offboarded';

const REGISTRY_CONFLICTS: Record<RegistryConflictReason, string> = {
  'pharmacy-exists': 'A pharmacy with this FINESS is already registered.',
  'pharmacy-inactive': 'The pharmacy is deactivated.',
  'certificate-limit': 'The pharmacy already has two valid certificates: revoke one first.',
  'certificate-exists': 'This certificate is already registered.',
  'already-revoked': 'The certificate is already revoked.',
  'ca-issues-nothing': 'The configured CA is external: register its certificates instead of issuing them.',
  'pharmacy-active': 'The pharmacy is already active.',
  'pharmacy-offboarded': 'The pharmacy is offboarded: its certificates and enrolments are revoked for good.',
  'ca-not-in-process': 'Certificates are issued through the configured CA, which this gateway process does not hold: use `gateway cert issue`.',
};

/** A pharmacy or certificate change the registry's current state does not allow. */
export class RegistryConflict extends GatewayError {
  readonly code = 'registry-conflict';
  constructor(readonly reason: RegistryConflictReason) {
    super(REGISTRY_CONFLICTS[reason]);
  }
}

/** A state-changing web request without its session's CSRF token, or from another origin. */
export class CsrfFailed extends GatewayError {
  readonly code = 'csrf-failed';
  constructor() {
    super('The request lacks a valid CSRF token.');
  }
}

export class RateLimited extends GatewayError {
  readonly code = 'rate-limited';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests.');
  }
}

export class KeyManagerUnavailable extends GatewayError {
  readonly code = 'key-manager-unavailable';
  constructor(options?: { cause?: unknown }) {
    super('The key manager is unavailable.', options);
  }
}

export class AuditUnavailable extends GatewayError {
  readonly code = 'audit-unavailable';
  constructor(options?: { cause?: unknown }) {
    super('The audit log is unavailable.', options);
  }
}

export class ServiceUnavailable extends GatewayError {
  readonly code = 'unavailable';
  constructor(options?: { cause?: unknown }) {
    super('The service is temporarily unavailable.', options);
  }
}

/** Sealed data failed to open: wrong key, wrong binding or tampering. One fixed message. */
export class DecryptionFailed extends GatewayError {
  readonly code = 'internal';
  constructor(options?: { cause?: unknown }) {
    super('Decryption failed.', options);
  }
}

export type ProblemCode =
  | 'validation'
  | 'malformed-json'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'idempotency-key-missing'
  | 'idempotency-key-invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'finess-mismatch'
  | 'not-found'
  | 'idempotency-conflict'
  | 'duplicate-result'
  | 'result-not-modifiable'
  | 'registry-conflict'
  | 'rate-limited'
  | 'csrf-failed'
  | 'key-manager-unavailable'
  | 'audit-unavailable'
  | 'unavailable'
  | 'internal';
