/** The TLS posture audit of a Redis endpoint (`redis-tls audit`, "Audit TLS Posture"). */
export * from './audit';
export { formatAudit } from './format';
