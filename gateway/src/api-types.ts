/**
 * The shapes of the JSON the gateway answers to the web UI, with no imports: the server builds
 * them and the admin UI (a separate bundle) imports these very types, so the two cannot drift.
 */

export type ResultStatus = 'received' | 'delivering' | 'retrying' | 'delivered' | 'dead-lettered' | 'cancelled';

/** The status resource: delivery state and receipts, never personal data. */
export interface ResultStatusView {
  id: string;
  status: ResultStatus;
  receivedAt: string;
  deliveredAt: string | null;
  purgedAt: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  sidepAckId: string | null;
  problem: { code: string } | null;
  supersededBy: string | null;
}

/** The figures of the overview page, from the gateway's own tables (no metrics scrape). */
export interface Overview {
  receivedLastHour: number;
  backlog: { pending: number; oldestAgeSeconds: number };
  /** Receipt to SI-DEP acknowledgement, over results delivered in the last 24 hours. */
  latency: { p50Seconds: number | null; p95Seconds: number | null };
  /** Messages waiting for a retry after a failed attempt. */
  retrying: number;
  deadLetters: number;
  /** The 23 whole hours before this one and the current hour, oldest first. */
  hourly: { hour: string; received: number; delivered: number }[];
}

/** A result as the admin UI lists it: a receipt, no personal data. */
export interface ResultRow {
  id: string;
  pharmacy: { finess: string; name: string };
  status: ResultStatus;
  receivedAt: string;
  deliveredAt: string | null;
  purgedAt: string | null;
  problem: { code: string } | null;
}

export interface ResultDetail {
  result: ResultRow & { sidepAckId: string | null; supersededBy: string | null; corrects: string | null };
  /** What happened, oldest first, from the result's and its messages' timestamps. */
  history: { at: string; event: string }[];
  messages: { id: string; kind: string; state: string; attempts: number; createdAt: string; deliveredAt: string | null; lastErrorCode: string | null; deadReason: { code: string; httpStatus?: number } | null }[];
}
