// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Imports flow one way: app → components → (client-safe) server/api; server layers never reach up. */
const layer = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.next/',
      'data/',
      'server/generated/',
      'test-results/',
      'playwright-report/',
      'artifacts/',
      'next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The browser side never imports server code except the plain object types in server/api.
  layer(
    ['app/**', 'components/**'],
    ['**/server/*', '!**/server/api', '@/server/*', '!@/server/api'],
    'UI code may import only server/api (plain types) from the server.',
  ),
  // Pure API types import nothing of the server's.
  layer(
    ['server/api/**'],
    ['../**', '!../api/**', '@/server/**', '!@/server/api/**'],
    'server/api holds plain types and must not depend on other server layers.',
  ),
  // The schemas sit inside server/api: they use its types and each other, still nothing above.
  layer(
    ['server/api/schemas/**'],
    ['../../**', '!../../api/**', '@/server/**', '!@/server/api/**'],
    'server/api/schemas may import only server/api (and zod).',
  ),
  // Listener plumbing (limits, timeouts, bounded JSON) serves every edge and the transport, and knows none of them.
  layer(
    ['server/net/**'],
    ['../**', '!../net/**', '@/server/**', '!@/server/net/**'],
    'server/net holds listener plumbing and must not depend on other server layers.',
  ),
  // The PKI library is pure: certificates in, certificates out.
  layer(
    ['server/ca/**'],
    [
      '**/manager/**',
      '**/http/**',
      '**/agent/**',
      '**/agent-process/**',
      '**/realtime/**',
      '**/store/**',
      '**/storage/**',
      '**/raft/**',
      '**/app/**',
      '**/components/**',
    ],
    'server/ca is a pure PKI library (it may use server/api types only).',
  ),
  // The embedded DNS's answer core is pure: store objects in, records out (server/api types and server/util only).
  layer(
    ['server/dns/**'],
    [
      '../*',
      '!../api',
      '!../util',
      '../../**',
      '@/server/*',
      '!@/server/api',
      '!@/server/util',
      '@/app/**',
      '@/components/**',
    ],
    'server/dns may import only server/api types and server/util.',
  ),
  // A node's TLS identity (disk, join pinning, renewal) sits below the manager and the edges.
  layer(
    ['server/node-tls/**'],
    [
      '**/manager/**',
      '**/http/**',
      '**/agent/**',
      '**/agent-process/**',
      '**/realtime/**',
      '**/store/**',
      '**/storage/**',
      '**/roles/**',
      '**/app/**',
      '**/components/**',
    ],
    "server/node-tls holds a node's certificates; it knows the CA library and the transport only.",
  ),
  // The store knows nothing of the control loops, the HTTP edges or the agents.
  layer(
    ['server/store/**', 'server/storage/**', 'server/raft/**'],
    ['**/manager/**', '**/http/**', '**/agent/**', '**/realtime/**', '**/metrics/**', '**/app/**', '**/components/**'],
    'store/storage/raft sit below the manager and the edges.',
  ),
  // The audit log's server side (note buffer, search) sits on the store, below the manager and the edges.
  layer(
    ['server/audit/**'],
    ['**/manager/**', '**/http/**', '**/agent/**', '**/realtime/**', '**/app/**', '**/components/**'],
    'server/audit sits on the store; the manager and the edges use it, not the other way round.',
  ),
  // Console accounts sit between the manager and the edges: the HTTP door and the socket use them, not the reverse.
  layer(
    ['server/auth/**'],
    ['**/http/**', '**/realtime/**', '**/agent/**', '**/app/**', '**/components/**'],
    'server/auth must not import the HTTP, realtime or agent layers.',
  ),
  // Control loops do not know about HTTP, sockets or the agents they serve.
  layer(
    ['server/manager/**'],
    ['**/http/**', '**/realtime/**', '**/agent/**', '**/metrics/**', '**/app/**', '**/components/**'],
    'manager code must not import the HTTP, realtime, metrics or agent layers.',
  ),
  // Metrics read the store, the raft view and the manager context; the Engine API serves them (its tests drive them
  // through it). Nothing below imports them: the control loops report through small observer callbacks instead.
  {
    ...layer(
      ['server/metrics/**'],
      ['**/http/**', '**/realtime/**', '**/agent/**', '**/agent-process/**', '**/app/**', '**/components/**'],
      'server/metrics reads the store, the raft view and the manager context only.',
    ),
    ignores: ['server/metrics/**/*.test.ts'],
  },
  // Agents talk to the manager only through the dispatcher interface.
  layer(
    ['server/agent/**'],
    [
      '**/manager/**',
      '!**/manager/dispatcher/',
      '!**/manager/dispatcher/api',
      '**/http/**',
      '**/realtime/**',
      '**/store/**',
      '**/storage/**',
    ],
    'agents reach the manager only through the dispatcher session interface.',
  ),
  // An agent process holds no store: it joins, then speaks dispatcher sessions over the transport.
  layer(
    ['server/agent-process/**'],
    [
      '**/store/**',
      '**/storage/**',
      '**/http/**',
      '**/realtime/**',
      '**/manager/*',
      '!**/manager/dispatcher',
      '!**/manager/membership',
      '**/manager/membership/*',
      '!**/manager/membership/agent-join',
      '**/app/**',
      '**/components/**',
    ],
    'an agent process uses only the agent, the transport, dispatcher sessions and the agent join.',
  ),
  prettier,
);
