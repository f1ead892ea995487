/**
 * The command line's entry point (dist/cli.js). `redis-tls scan` is measured with process start, so
 * it loads a bundle of the scan path alone (dist/cli-scan.js, from scanMain.ts); every other command
 * loads the whole command line (dist/cli-main.js, from main.ts). Each process loads exactly one of
 * the two bundles, so no object ever crosses from one bundle's classes to the other's.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(process.argv[2] === 'scan' ? './cli-scan.js' : './cli-main.js');
