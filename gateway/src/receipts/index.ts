export { createReceipts, receiptJwks, type Receipts, type ReceiptClaims, type Jwks } from './receipts.js';
export { deliveredDigest } from './digest.js';
export { RECEIPT_ENDPOINTS, JWKS_ENDPOINT, JWKS_PATH, JWS_MEDIA_TYPE } from './api.js';
