import type { Container } from '../container';
import { registerAuditCommand } from './auditCommand';
import { RedisConfEditor } from './redisConfEditor';

/** The server side (issue #14): redis.conf editing support and "Audit TLS Posture". */
export function registerServerConf(container: Container): RedisConfEditor {
  const editor = container.own(new RedisConfEditor(container));
  container.own(registerAuditCommand(container));
  return editor;
}
