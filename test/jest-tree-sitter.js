module.exports = require('./jest-native-once')('tree-sitter');
