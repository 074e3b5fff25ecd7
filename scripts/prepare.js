#!/usr/bin/env node
// npm runs this after `npm install` / `npm ci` in a checkout, and when it installs djfix from git (as
// pre-commit installs `language: node` hooks): compile the TypeScript. npm installs a git package's
// devDependencies before its prepare script, except when it installs it globally (npm/cli#8440), which
// is what pre-commit does; then the compiler is missing, and is installed here first.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

if (!fs.existsSync(path.join(root, 'node_modules', 'typescript'))) {
  // Only what compiling needs: the native packages' install scripts run when djfix itself is installed.
  const npm = process.env.npm_execpath;
  const args = ['install', '--no-save', '--include=dev', '--ignore-scripts', '--global=false', '--no-audit', '--no-fund'];
  if (npm) run(process.execPath, [npm, ...args]);
  else run('npm', args);
}
run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
