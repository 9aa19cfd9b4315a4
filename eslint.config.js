// ESLint (flat config): ESLint's and typescript-eslint's recommended rules, syntax only (no type
// information: `tsc -p tsconfig.test.json` does the type checking). `npm test` runs it via `npm run lint`.
import js from '@eslint/js'
import {defineConfig} from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {ignores: ['dist/', 'node_modules/', 'reports/', 'fixtures/', '.tmp/', 'coverage/']},
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {globals: globals.node},
    rules: {
      // an unused binding is an error unless its name says it is unused on purpose
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true},
      ],
    },
  },
  {
    // tests match terminal output and binary data on purpose: ANSI escapes (\x1b) and NUL bytes in regexes
    files: ['test/**'],
    rules: {'no-control-regex': 'off'},
  },
)
