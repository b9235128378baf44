export { AES_KEY_BYTES, aesGcmOpen, aesGcmSeal } from './aes-gcm.js';
export { openDocument, sealDocument, type EnvelopeBinding } from './envelope.js';
export { createBlindIndex, type BlindIndex, type BlindIndexFunctions, type BlindIndexKey } from './blind-index.js';
