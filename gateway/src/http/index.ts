export { auditGuard } from './audit-guard.js';
export { clientCertificate } from './client-certificate.js';
export type { AppEnv } from './env.js';
export { close, listen, serverTlsOptions, type AnyServer } from './listen.js';
export { accessLog, jsonBody, rateLimit, requestId } from './middleware.js';
export { answerWithProblems, onError } from './problem.js';
export { createRateLimiter, type RateLimiter } from './rate-limit.js';
export type { Route } from './route.js';
export { watchTlsFiles, type TlsFiles, type TlsFilesWatch, type TlsMaterial } from './tls-files.js';
