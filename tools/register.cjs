// Runs the TypeScript sources directly (apps, CLI, stack command): transpile-only keeps
// start-up fast, type checking is `npm run typecheck`; tsconfig-paths resolves @soc/* aliases.
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
process.env.TS_NODE_PROJECT = require('node:path').join(__dirname, '..', 'tsconfig.json');
require('ts-node/register');
require('tsconfig-paths/register');
require('reflect-metadata');
