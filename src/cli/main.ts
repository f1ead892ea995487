const USAGE = `redis-tls: Redis over verified TLS, with a diagnosis for every failure

Usage:
  redis-tls doctor [rediss://[user@]host:port[/db] | -h HOST -p PORT] [options]
  redis-tls scan   <connection options> [--pattern GLOB] [--type TYPE] [--count N]
`;

process.stdout.write(USAGE);
process.exitCode = process.argv.length > 2 ? 2 : 0;
