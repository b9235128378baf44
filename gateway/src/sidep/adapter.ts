/**
 * The delivery port (DOMAIN §1 "Delivery adapter"): the relay hands a message to SI-DEP and
 * learns whether to record an acknowledgement, try again later, or dead-letter it.
 */

/**
 * The version of SI-DEP's exchange contract this gateway's messages follow, sent with each one as
 * `X-Sidep-Contract-Version`. A header rather than the Bundle's `meta.profile`: SI-DEP routes on
 * it before parsing (to the validator of that version), it names the exchange as a whole (message,
 * transaction answers, acknowledgements) and it leaves the Bundle SI-DEP stores as the builder
 * made it. A whole number: raise it with every change of the messages' shape; a gateway of a
 * later version closes the relay's contract circuit as it starts (outbox/contract-circuit.ts).
 */
export const SIDEP_CONTRACT_VERSION = '1';

/** One message for SI-DEP: a FHIR R4 transaction Bundle whose `identifier.value` is `messageId`. */
export interface SidepMessage {
  messageId: string;
  bundle: unknown;
}

/**
 * A point SI-DEP objected to, reduced to the OperationOutcome issue's `code` (FHIR IssueType)
 * and the path in `expression[0]`; never `diagnostics`, `details` or the body, which may
 * carry submitted values (DESIGN "No personal data outside ciphertext").
 */
export interface RejectionIssue {
  code: string;
  expression: string;
}

/**
 * What became of one `send`:
 * - `accepted`: SI-DEP holds the message; `ackId` is its acknowledgement.
 * - `retryable`: try again later with the same message id; `code` says why (`network`,
 *   `timeout`, `tls`, `http-503`, `http-429`, `bad-ack`…), `retryAfterMs` echoes `Retry-After`.
 * - `rejected`: SI-DEP refused the content (4xx); retrying unchanged cannot succeed.
 */
export type SendOutcome =
  | { kind: 'accepted'; ackId: string }
  | { kind: 'retryable'; code: string; retryAfterMs?: number }
  | { kind: 'rejected'; httpStatus: number; issues: RejectionIssue[] };

/**
 * Delivers messages to SI-DEP. `send` never throws for a delivery failure: every failure is a
 * `SendOutcome`. Sending the same `messageId` again is safe (it is the idempotency key).
 *
 * @example
 * const outcome = await adapter.send({ messageId, bundle });
 * if (outcome.kind === 'accepted') markDelivered(outcome.ackId);
 */
export interface SidepAdapter {
  /** The contract version the messages are sent under (`SIDEP_CONTRACT_VERSION`). */
  readonly contractVersion: string;
  send(message: SidepMessage): Promise<SendOutcome>;
  /** Closes the connections; pending sends finish first. */
  close(): Promise<void>;
}
