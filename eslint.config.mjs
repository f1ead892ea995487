import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layers, lowest first. A folder may import only the folders listed with it (and itself); the
 * lint fails on anything else, and on any import cycle. README "Layout" describes the same order.
 *
 * core (no vscode; also serves the CLI and plain-Node tests):
 *   diagnosis, endpoint, resp   base: problem codes and catalogue; connection options; RESP framing
 *   certs                       X.509, PEM, PKCS#12, key pairs, chain verdicts   -> diagnosis, endpoint
 *   tls                         TLS options, peer chain, failure classification  -> certs, diagnosis, endpoint
 *   client                      connections, queue, cluster, doctor              -> tls, certs, resp, ...
 *   keys, profiles, and the feature cores above them                             -> anything below
 * extension:
 *   platform                    thin adapters over the vscode API                -> core
 *   sessions, values, editorDiagnostics, webviews   features                    -> platform, core
 *   views                       tree views                                       -> sessions, values, platform, core
 *   commands and feature folders (terminal, ...)    -> anything but extension.ts
 *   container.ts                the composition root; extension.ts only activates it
 * Feature modules receive the container's services; `import type { Container }` is allowed for that.
 */
const CORE_BASE = ['./diagnosis', './endpoint', './resp'];
const coreZone = (folder, allowed) => ({
  target: `./src/core/${folder}`,
  from: './src/core',
  except: [`./${folder}`, ...allowed],
  message: `core/${folder} may import only ${allowed.map((a) => a.slice(2)).join(', ') || 'itself'} within core (see eslint.config.mjs).`,
});
const extensionZone = (folder, allowed) => ({
  target: `./src/${folder}`,
  from: './src',
  except: [`./${folder}`, './core', './container.ts', ...allowed],
  message: `src/${folder} may import only core${allowed.length ? `, ${allowed.map((a) => a.slice(2)).join(', ')}` : ''} (see eslint.config.mjs).`,
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/artifacts/**', '.lab/**', '.vscode-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/core', from: './src', except: ['./core'], message: 'src/core must not depend on the extension layers.' },
            { target: './src/cli', from: './src', except: ['./cli', './core'], message: 'src/cli is built on src/core only.' },
            coreZone('diagnosis', []),
            coreZone('endpoint', []),
            coreZone('resp', []),
            coreZone('certs', ['./diagnosis', './endpoint']),
            coreZone('tls', ['./certs', './diagnosis', './endpoint']),
            coreZone('client', ['./tls', './certs', ...CORE_BASE]),
            coreZone('keys', ['./client', './tls', './certs', ...CORE_BASE]),
            coreZone('profiles', ['./client', './tls', './certs', ...CORE_BASE]),
            extensionZone('platform', []),
            extensionZone('sessions', ['./platform']),
            extensionZone('values', ['./platform']),
            extensionZone('editorDiagnostics', ['./platform']),
            extensionZone('webviews', ['./platform']),
            extensionZone('views', ['./sessions', './values', './platform']),
          ],
        },
      ],
    },
  },
  {
    // The core serves the CLI and plain-Node tests: it must never depend on the VS Code API.
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core and src/cli must not import vscode: put VS Code code in the extension layers.' }],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
);
