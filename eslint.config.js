import js from '@eslint/js';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';
import { armisticePlugin } from './eslint/layers.js';

const root = import.meta.dirname;

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'data/', 'web/dist/', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { armistice: armisticePlugin },
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      'armistice/layers': ['error', { root }],
      'no-warning-comments': ['error', { terms: ['todo', 'fixme', 'xxx'], location: 'anywhere' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports only.' },
        { selector: 'TSEnumDeclaration', message: 'No enums: use a union of string literals.' },
        { selector: 'TSModuleDeclaration[kind!="global"]', message: 'No namespaces: use modules.' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      'max-depth': ['error', 4],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    plugins: { jsdoc },
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: { esm: true },
          require: {
            FunctionDeclaration: true,
            ClassDeclaration: true,
            ArrowFunctionExpression: true,
          },
          contexts: [
            'TSInterfaceDeclaration',
            'TSTypeAliasDeclaration',
            'ExportNamedDeclaration > VariableDeclaration',
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'core reads no clock: take the time as an argument.',
        },
        {
          object: 'Math',
          property: 'random',
          message: 'core uses no randomness: take a seeded generator or ids as arguments.',
        },
        { object: 'performance', property: 'now', message: 'core reads no clock.' },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'core does no I/O.' }],
    },
  },
  {
    files: ['*.config.ts', '*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
