// @ts-check
/**
 * ESLint (flat config) for the whole repository: `npm run lint`.
 *
 * - typescript-eslint's `recommended` rules, not the type-checked presets:
 *   those build a TypeScript program per run and are too slow on 2 cores
 *   (`npm run typecheck` already runs the compiler).
 * - React's rules of hooks for the client.
 * - Import boundaries (eslint-plugin-import-x's `no-restricted-paths`, which
 *   resolves every import to a file, so `../../storage/x` and
 *   `@whisper/protocol` are judged by where they land, not by their text):
 *     shared ← features ← app, features never import each other,
 *     the browser code (client/, sw/) reaches the server only through
 *     '@whisper/protocol', the server never imports browser code, and
 *     server/protocol/ (shared with the browser) imports nothing else of the server.
 * - The schema library (typebox) stays out of the browser bundle:
 *   `@typescript-eslint/no-restricted-imports` with `allowTypeImports`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const fromRoot = (/** @type {string} */ relative) => path.join(root, relative);

/** Every feature folder (client/src/features/<name>/), read at each run so a new feature is covered at once. */
const features = readdirSync(fromRoot('client/src/features'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * The protocol modules the browser bundle reaches: server/protocol/index.ts
 * (the '@whisper/protocol' alias) and the modules it re-exports as values.
 * They may value-import only each other; everything else (the schema
 * modules, typebox) only with `import type` / `export type`.
 */
const BROWSER_PROTOCOL_MODULES = ['index', 'constants', 'dm-room-id'];

const SCHEMA_LIBRARIES = ['typebox', '@sinclair/typebox', '@fastify/type-provider-typebox'];

const WHY_NO_SCHEMAS_IN_BROWSER =
  'the schema library must stay out of the browser bundle: the client and the service worker import the protocol\'s types (`import type`) and constants from \'@whisper/protocol\', never the schemas; validation is the server\'s job.';

/** Resolves imports the way Vite and `tsc` do, so the boundary rules see the real file. */
const resolver = createNodeResolver({
  extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json', '.node'],
  // The server is NodeNext: `./x.js` names `./x.ts`.
  extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'] },
  alias: { '@whisper/protocol': [fromRoot('server/protocol/index.ts')] },
  conditionNames: ['import', 'module', 'browser', 'require', 'default'],
});

const boundaryZones = [
  {
    target: 'client/src/shared',
    from: ['client/src/features', 'client/src/app'],
    message:
      'shared/ is the bottom layer (shared ← features ← app) and must not import features or the app shell: move what both need into shared/, or pass it in from app/.',
  },
  ...features.map((feature) => ({
    target: `client/src/features/${feature}`,
    from: 'client/src/features',
    except: [`./${feature}`],
    message: `features do not import each other (this is features/${feature}/): compose them in app/, or move what both need into shared/.`,
  })),
  {
    target: 'client/src/features',
    from: 'client/src/app',
    message:
      'features must not import the app shell (shared ← features ← app): take it as props or context from app/, or move it into shared/.',
  },
  {
    target: ['client', 'sw'],
    from: 'server',
    except: ['./protocol/index.ts'],
    message:
      "the browser code (client/, sw/) imports the server only through '@whisper/protocol' (server/protocol/index.ts: constants and types); other server modules would pull Node, the database or the schemas into the bundle.",
  },
  {
    target: 'server',
    from: ['client', 'sw'],
    message: 'the server does not import browser code (client/, sw/): what both sides need belongs in server/protocol/.',
  },
  {
    target: 'server/protocol',
    from: 'server',
    except: ['./protocol'],
    message:
      'server/protocol/ is shared with the browser and must not import the rest of the server (Node, the database, Fastify): the server imports the protocol, never the other way round.',
  },
];

export default defineConfig([
  globalIgnores([
    'client/dist*/',
    'dist/',
    'coverage/',
    '.data/',
    // Generated screenshots, traces and ad-hoc scripts of past runs (git-ignored).
    'tests/output/',
  ]),

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },

  {
    name: 'whisper/style',
    rules: {
      // `_`-prefixed names are deliberately unused (a required parameter, a
      // skipped tuple slot); rest siblings drop a property on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  {
    name: 'whisper/react-hooks',
    files: ['client/**/*.{ts,tsx}'],
    // (The cast only quiets the plugin's `configs` typings, which ESLint's Plugin type does not accept.)
    plugins: { 'react-hooks': /** @type {import('eslint').ESLint.Plugin} */ (/** @type {unknown} */ (reactHooks)) },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },

  {
    name: 'whisper/bench',
    files: ['tests/bench/**'],
    rules: {
      // The benchmarks read untyped JSON field by field (Lighthouse reports,
      // Chrome traces and CPU profiles, their own result files): `any` is the
      // honest type there, and typing those external formats would add nothing.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },

  {
    name: 'whisper/boundaries',
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [resolver] },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: boundaryZones }],
      // An import the resolver above cannot follow is one the boundary rules
      // silently skip (say, a new path alias in a tsconfig): relative and
      // '@whisper/' imports must resolve here too. Packages are tsc's job.
      'import-x/no-unresolved': ['error', { ignore: ['^(?!\\.|@whisper/)'] }],
    },
  },

  {
    name: 'whisper/browser-imports',
    files: ['client/**/*.{ts,tsx}', 'sw/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: SCHEMA_LIBRARIES.map((name) => ({ name, allowTypeImports: true, message: WHY_NO_SCHEMAS_IN_BROWSER })),
          patterns: [
            {
              group: SCHEMA_LIBRARIES.map((name) => `${name}/*`),
              allowTypeImports: true,
              message: WHY_NO_SCHEMAS_IN_BROWSER,
            },
            {
              regex: '^(?:\\.\\.?/)+(?:[^/]+/)*server(?:/|$)',
              message: "import the protocol as '@whisper/protocol' (the alias Vite, Vitest and tsc share), not by a relative path into server/.",
            },
          ],
        },
      ],
    },
  },

  {
    name: 'whisper/browser-protocol',
    files: BROWSER_PROTOCOL_MODULES.map((module) => `server/protocol/${module}.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!\\./(?:${BROWSER_PROTOCOL_MODULES.join('|')})\\.js$)`,
              allowTypeImports: true,
              message: `this module is in the browser bundle ('@whisper/protocol'): it may import and re-export values only from ${BROWSER_PROTOCOL_MODULES.map((m) => `./${m}.ts`).join(', ')}; the schema modules and typebox only through \`import type\` / \`export type\` (the server takes schemas from ./schemas.ts). A new typebox-free module re-exported as values belongs in BROWSER_PROTOCOL_MODULES in eslint.config.js.`,
            },
          ],
        },
      ],
    },
  },
]);
