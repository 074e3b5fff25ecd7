import { extractFacts } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { cyclesOf, importCycles, importTimeEdges, ImportTimeEdge, shortestCycle, stronglyConnected } from '../../src/project/cycles';
import { buildIndex, ProjectIndex } from '../../src/project/index';
import { moduleNameOf } from '../../src/project/modules';

function indexOf(files: Record<string, string>): ProjectIndex {
  const packages = new Set(Object.keys(files).filter((file) => file.endsWith('__init__.py')).map((file) => file.split('/').slice(0, -1).join('/')));
  const inputs = Object.entries(files).map(([path, text]) => ({ path, ...moduleNameOf(path, (dir) => packages.has(dir)), hash: path, facts: extractFacts(parsePython(text), text) }));
  return buildIndex(inputs, { version: null, source: 'test' });
}

const edge = (from: string, to: string, line = 1): ImportTimeEdge => ({ from, to, path: `${from.replace(/\./g, '/')}.py`, line });

describe('stronglyConnected', () => {
  test('finds components, including one closed by a back edge deep in a chain', () => {
    const graph: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a', 'd'], d: ['e'], e: ['d'], f: [] };
    const components = stronglyConnected(Object.keys(graph), (node) => graph[node]).map((component) => [...component].sort());
    expect(components).toEqual(expect.arrayContaining([['a', 'b', 'c'], ['d', 'e'], ['f']]));
    expect(components).toHaveLength(3);
  });

  test('a chain of 20 000 modules does not overflow the stack', () => {
    const nodes = Array.from({ length: 20000 }, (_, i) => `m${i}`);
    const components = stronglyConnected(nodes, (node) => {
      const i = Number(node.slice(1));
      return i === nodes.length - 1 ? ['m0'] : [`m${i + 1}`];
    });
    expect(components).toHaveLength(1);
  });
});

describe('shortestCycle', () => {
  test('goes back to the importer by the fewest edges', () => {
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('b', 'a', 7)];
    expect(shortestCycle(edges, edges[0])).toEqual([edges[0], edges[3]]);
    expect(shortestCycle(edges, edges[1])).toEqual([edges[1], edges[2], edges[0]]);
    expect(shortestCycle([edge('a', 'b')], edge('a', 'b'))).toBeUndefined();
  });
});

describe('the import-time graph of a project', () => {
  const project = indexOf({
    'shop/__init__.py': '',
    'shop/models.py': 'from django.db import models\nfrom . import helpers\nfrom shop.views import render\n',
    'shop/helpers.py': 'from typing import TYPE_CHECKING\nimport shop.models as m\nif TYPE_CHECKING:\n    from shop.views import View\nif TYPE_CHECKING is True:\n    from shop.forms import Form\n',
    'shop/views.py': 'def render():\n    from shop.models import Thing\n',
    'shop/forms.py': 'try:\n    from shop.admin import site\nexcept ImportError:\n    site = None\nclass Form:\n    from shop import admin\n',
    'shop/admin.py': 'from .forms import Form\n',
  });

  test('edges: module level, class bodies and try blocks; relative and aliased imports; submodules of from-imports', () => {
    const pairs = importTimeEdges(project).map((e) => `${e.from}>${e.to}:${e.line}`);
    expect(pairs).toEqual([
      'shop.admin>shop.forms:1',
      'shop.forms>shop.admin:2',
      'shop.forms>shop:6',
      'shop.forms>shop.admin:6',
      'shop.helpers>shop.models:2',
      'shop.models>shop:2',
      'shop.models>shop.helpers:2',
      'shop.models>shop.views:3',
    ]);
  });

  test('cycles: function-level and TYPE_CHECKING imports (any spelling) close none', () => {
    const cycles = importCycles(project);
    expect(cycles.map((cycle) => cycle.modules)).toEqual([['shop.admin', 'shop.forms'], ['shop.helpers', 'shop.models']]);
    expect(cycles[1].edges.map((e) => `${e.path}:${e.line}`)).toEqual(['shop/helpers.py:2', 'shop/models.py:2']);
    expect(importCycles(project)).toBe(cycles);
  });

  test('cyclesOf leaves out modules in no cycle', () => {
    expect(cyclesOf([edge('a', 'b'), edge('b', 'c')])).toEqual([]);
  });
});
