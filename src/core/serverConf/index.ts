/** redis.conf TLS diagnostics: parser, tls-* catalogue, rules. Shared by the CLI and the editor. */
export * from './parse';
export * from './catalogue';
export * from './rules';
export { formatConfFindings, confFindingsJson } from './report';
