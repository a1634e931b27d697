// Lint rules that carry the architecture: the pure domain imports only contracts, libs never
// reach into apps, and everything crosses packages through @soc/* aliases.
import tseslint from 'typescript-eslint';

const noRelativeLibs = {
  group: ['**/libs/*', '../../libs/**', '../../../libs/**'],
  message: 'Import libs through @soc/* aliases.',
};
const noApps = {
  group: ['**/apps/*', '../../apps/**'],
  message: 'No lib or app imports another app.',
};
/** The repo-wide import rules plus a package's own patterns and forbidden paths. */
const restrictedImports = ({ patterns = [], paths = [] }) => [
  'error',
  { patterns: [noRelativeLibs, noApps, ...patterns], paths },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.stack/**',
      'coverage/**',
      'apps/query-api/dashboard/**',
      'tools/register.cjs',
      'jest.config.js',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'no-restricted-imports': restrictedImports({}),
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictedImports({
        patterns: [
          {
            group: ['@soc/*', '!@soc/contracts'],
            message: 'The domain imports only @soc/contracts.',
          },
        ],
        paths: [
          'kafkajs',
          'typeorm',
          'pg',
          'rxjs',
          '@nestjs/common',
          '@nestjs/core',
          'node:fs',
          'fs',
          'node:http',
          'http',
          'node:net',
        ].map((name) => ({ name, message: 'The domain is pure: no I/O or framework imports.' })),
      }),
    },
  },
  {
    // Small modules and functions in the pure core (issue 9). Blank lines and comments count
    // toward a file's 400 lines, so the limit is on what a reader scrolls through; a function's
    // 60 lines count code only, so a doc comment never pushes it over.
    files: ['libs/domain/**/*.ts'],
    ignores: ['libs/domain/**/*.spec.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@soc/*'], message: 'contracts has no dependencies.' }] },
      ],
    },
  },
  {
    // Cross-app specs in test/ may use an app's own test support (apps/<app>/test: its
    // in-process harness and topic readers), never its code.
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [noRelativeLibs, { ...noApps, group: ['**/apps/*/src/*'] }],
        },
      ],
    },
  },
  {
    // The CLI loads each verb only when it is named, so only the database verb pays for a
    // database client; every other verb starts without TypeORM, pg, Kafka or Nest (issue 14).
    files: ['apps/cli/src/**/*.ts'],
    ignores: ['apps/cli/src/verbs/database.ts'],
    rules: {
      'no-restricted-imports': restrictedImports({
        patterns: [{ group: ['@nestjs/*'], message: 'The offline CLI verbs start without Nest.' }],
        paths: [
          {
            name: '@soc/intel',
            message: 'Its stores load TypeORM: import the feed readers from @soc/intel/feeds.',
          },
          ...['@soc/persistence', '@soc/kafka', 'typeorm', 'pg', 'kafkajs'].map((name) => ({
            name,
            message: 'Only the database verb (verbs/database.ts) loads a database or broker.',
          })),
        ],
      }),
    },
  },
  {
    // Command-line tools write JSON lines to stdout by design.
    files: ['apps/cli/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
