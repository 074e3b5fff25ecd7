// Jest gives every test file a fresh module registry, but tree-sitter's JS wrapper patches the
// prototypes of its native classes, which the whole process shares: a second load breaks the objects
// of the first (tree-sitter/node-tree-sitter#53, #181). Node's own module loader, outside Jest's
// registry (Jest replaces `require` and `createRequire` in test code), loads each native package
// once per process, as in production.
const path = require('node:path');
const Module = require('node:module');

module.exports = (name) => Module._load(path.join(__dirname, '..', 'node_modules', name), null, false);
