// node-tree-sitter hands out node objects from a cache of weak references: two handles to one node
// may or may not be the same object, depending on the garbage collector. Comparing nodes with ===
// made djfix's output differ between runs of the same tree (an import placed after a different
// line, an import cycle judged differently). This reads djfix's own sources with the TypeScript type
// checker and fails on any ===, !==, includes() or indexOf() applied to tree-sitter nodes.
import path from 'node:path';
import ts from 'typescript';

const REPO = path.join(__dirname, '..', '..', '..');
const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
const SEARCHES = new Set(['includes', 'indexOf', 'lastIndexOf']);

test('no tree-sitter node is compared by object identity', () => {
  const configPath = path.join(REPO, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const isNode = (node: ts.Node) => {
    const type = checker.getNonNullableType(checker.getTypeAtLocation(node));
    return (type.isUnion() ? type.types : [type]).some((member) => member.getSymbol()?.getName() === 'SyntaxNode' || checker.typeToString(member).endsWith('SyntaxNode'));
  };
  const found: string[] = [];
  const sources = program.getSourceFiles().filter((file) => !file.fileName.includes('node_modules') && !file.fileName.endsWith('node-identity.test.ts'));
  for (const file of sources) {
    const where = (node: ts.Node) => `${path.relative(REPO, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`;
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind) && isNode(node.left) && isNode(node.right)) found.push(where(node));
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && SEARCHES.has(node.expression.name.text) && node.arguments.length > 0 && isNode(node.arguments[0])) found.push(where(node));
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  expect(sources.length).toBeGreaterThan(100);
  expect(found).toEqual([]);
});
