import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one callback: `webhook-signature` holds one `v1,<HMAC>` per
 * secret, space-separated (during a rotation both the current and the previous secret sign, so a
 * receiver holding either verifies).
 */
export function signedHeaders(secrets: readonly Buffer[], id: string, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret, { format: 'raw' }).sign(id, at, body)).join(' '),
  };
}
