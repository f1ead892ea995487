// Bundles the extension (vscode external), the CLI and the webview scripts with esbuild.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD main loads its parts with a require() esbuild cannot follow: bundle its ESM build.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

/** names.ts's lazy require('./nameFacts') becomes require('./cli-namefacts.js'), next to the bundle. */
const nameFactsApart = {
  name: 'name-facts-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/nameFacts$/ }, (args) =>
      args.importer.endsWith('names.ts') ? { path: './cli-namefacts.js', external: true } : undefined,
    );
  },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // The command line: dist/cli.js picks one of two bundles per process (src/cli/entry.ts): the scan
  // path alone, or the whole command line.
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/entry.ts'],
    outfile: 'dist/cli.js',
    external: ['./cli-scan.js', './cli-main.js'],
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js' }),
  // The scan bundle leaves the ASN.1 name reader (src/core/certs/nameFacts.ts and @peculiar/asn1-*,
  // two thirds of its size) in a file of its own, loaded only when Node's own host-name check cannot
  // decide: V8 then reads and compiles 0.2 MB at start-up instead of 0.6 MB.
  esbuild.build({ ...common, entryPoints: ['src/cli/scanMain.ts'], outfile: 'dist/cli-scan.js', plugins: [nameFactsApart] }),
  esbuild.build({ ...common, entryPoints: ['src/core/certs/nameFacts.ts'], outfile: 'dist/cli-namefacts.js' }),
  // The PKCS#12 reader's worker thread (src/core/certs/pfxOffThread.ts loads it from next to the bundle).
  esbuild.build({ ...common, entryPoints: ['src/core/certs/pfxWorker.ts'], outfile: 'dist/pfxWorker.js' }),
  // Webview scripts run in the browser: no Node built-ins, one self-contained file each.
  esbuild.build({
    ...common,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: ['src/webviews/panel/certPanel.ts'],
    outfile: 'dist/webview/certPanel.js',
  }),
]);
chmodSync('dist/cli.js', 0o755);
console.log(
  `build: dist/extension.js, dist/cli.js (+ cli-main.js, cli-scan.js, cli-namefacts.js), dist/pfxWorker.js, dist/webview/certPanel.js${production ? ' (production)' : ''}`,
);
