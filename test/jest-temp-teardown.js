// Removes the run's temporary directory (see jest-temp-setup.js).
const fs = require('node:fs');

module.exports = async () => {
  const root = process.env.DJFIX_TEST_TMP;
  if (root) fs.rmSync(root, { recursive: true, force: true });
};
