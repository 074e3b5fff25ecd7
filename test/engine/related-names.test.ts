// Relation names as Django sets them: Meta.default_related_name, related_query_name, placeholders,
// multi-table children that see their parents' fields without owning them, and tag fields that are
// named like managers.
import { extractFacts } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { buildIndex, ProjectIndex } from '../../src/project/index';
import { moduleNameOf } from '../../src/project/modules';

function indexOf(files: Record<string, string>): ProjectIndex {
  const packages = new Set(Object.keys(files).filter((file) => file.endsWith('__init__.py')).map((file) => file.split('/').slice(0, -1).join('/')));
  const inputs = Object.entries(files).map(([path, text]) => ({ path, ...moduleNameOf(path, (dir) => packages.has(dir)), hash: path, facts: extractFacts(parsePython(text), text) }));
  return buildIndex(inputs, { version: null, source: 'test' });
}

const project = indexOf({
  'shop/__init__.py': '',
  'shop/settings.py': 'INSTALLED_APPS = ["shop"]\n',
  'shop/models.py': [
    'from django.db import models',
    '',
    'class Owned(models.Model):',
    '    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_query_name="%(class)s_owned")',
    '    class Meta:',
    '        abstract = True',
    '        default_related_name = "%(model_name)s_items"',
    '',
    'class Shelf(Owned):',
    '    pass',
    '',
    'class Book(models.Model):',
    '    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)',
    '    class Meta:',
    '        default_related_name = "books"',
    '',
    'class Place(models.Model):',
    '    keeper = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="kept_place", related_query_name="keeper_of")',
    '',
    'class Restaurant(Place):',
    '    pass',
    '',
    'class Article(models.Model):',
    '    tags = TaggableManager(blank=True)',
  ].join('\n'),
});

test('Meta.default_related_name names the reverse accessor, own or from an abstract base', () => {
  expect(project.models['shop.Shelf'].reverse).toEqual([{ accessor: 'books', from: 'shop.Book', field: 'shelf', relation: 'fk' }]);
  expect(project.models['auth.User'].reverse.map((reverse) => reverse.accessor)).toContain('shelf_items');
});

test('related_query_name is kept, with placeholders filled in for the concrete model', () => {
  const owner = project.models['shop.Shelf'].fields.find((field) => field.name === 'owner');
  expect(owner).toMatchObject({ relatedName: 'shelf_items', relatedQueryName: 'shelf_owned' });
  expect(project.models['shop.Place'].fields.find((field) => field.name === 'keeper')).toMatchObject({ relatedName: 'kept_place', relatedQueryName: 'keeper_of' });
  expect(project.models['auth.User'].fields.find((field) => field.name === 'groups')).toMatchObject({ relatedName: 'user_set', relatedQueryName: 'user' });
});

test('a multi-table child does not add its parent’s reverse accessors again', () => {
  const accessors = project.models['auth.User'].reverse.filter((reverse) => reverse.accessor === 'kept_place');
  expect(accessors).toEqual([{ accessor: 'kept_place', from: 'shop.Place', field: 'keeper', relation: 'o2o' }]);
  expect(project.models['shop.Restaurant'].fields.map((field) => field.name)).toContain('keeper');
});

test('a TaggableManager is a tag field, not the model\'s manager: objects stays the default', () => {
  expect(project.models['shop.Article'].managers).toEqual(['objects']);
});
