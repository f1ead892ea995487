/**
 * The entry point of dist/cli-scan.js, the bundle entry.ts runs for `redis-tls scan`: the scan path
 * only (about half the code of the whole command line to read and compile at start-up).
 */
import { exitWith } from './commandLine';
import { runScanCommand } from './scanCommand';

exitWith(runScanCommand(process.argv.slice(3)));
