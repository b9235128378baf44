export { purgeExpired, type RetentionPolicy } from './purge.js';
