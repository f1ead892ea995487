import type { CertSummary } from '../certs/summary';

/** What a handshake established, for people (doctor, connection details) and for tests. */
export interface HandshakeReport {
  host: string;
  port: number;
  tls: boolean;
  /** The SNI sent (null for IP literals and plaintext). */
  servername: string | null;
  /** The name checked against the certificate (null when not verified by name). */
  verifiedName: string | null;
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  /** True only when the chain and name were verified, or the pinned certificate matched. */
  authorized: boolean;
  authorizationError: string | null;
  verification: 'chain' | 'pin' | 'none';
  sessionReused: boolean;
  timings: { tcpConnectMs: number; tlsHandshakeMs: number | null; firstReplyMs: number | null };
  /** Leaf first. Empty when the session was resumed: a resumed TLS 1.3 session presents no certificate. */
  chain: CertSummary[];
}
