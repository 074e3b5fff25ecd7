// Every temporary directory the tests make (projects copied to edit, caches, git repositories) goes
// under one directory per run, removed when the run ends: os.tmpdir() reads TMPDIR, which the test
// workers and the processes they start inherit.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-tests-'));
  process.env.DJFIX_TEST_TMP = root;
  process.env.TMPDIR = root;
};
