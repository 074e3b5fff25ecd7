// What an attribute of a model instance is, as the project index knows the model: a relation (and
// which lookup loads it ahead of time), the stored key of a foreign key, or anything else.
import type { FieldInfo, ModelInfo, ProjectIndex, ReverseRelation } from '../../src/project/index';

export interface RelationStep {
  /** The attribute as the code reads it, and the name `prefetch_related` takes. */
  name: string;
  /** The name `select_related` takes; undefined when it cannot follow this relation (many-valued, generic). */
  selectName?: string;
  /** One related object (ForeignKey, OneToOneField both ways, GenericForeignKey) rather than a manager. */
  single: boolean;
  /** Kept in the row's own columns (a forward ForeignKey, OneToOneField or GenericForeignKey): loading it needs them. */
  stored: boolean;
  /** The related model; undefined for a GenericForeignKey, whose target varies per row. */
  target?: ModelInfo;
  /** e.g. `ForeignKey to customers.Customer`, `reverse ForeignKey from sales.OrderLine`. */
  describe: string;
}

export type Attribute =
  | { kind: 'relation'; step: RelationStep }
  /** A relation whose model is not in the project (a third-party app): djfix cannot check its path. */
  | { kind: 'unknown-model'; name: string; describe: string }
  /** `order.customer_id`: the stored key, read without a query. */
  | { kind: 'key' }
  /** A plain field, a method, a property, or a name the index does not know. */
  | { kind: 'other' };

// Only Django's own relation fields: third-party ones (modelcluster's ParentalKey, mptt's TreeForeignKey)
// bring their own descriptors and managers, which may not take part in select/prefetch_related.
const DJANGO_RELATION_FIELDS = new Set(['ForeignKey', 'OneToOneField', 'ManyToManyField', 'GenericForeignKey', 'GenericRelation']);

export function resolveAttribute(index: ProjectIndex, model: ModelInfo, name: string): Attribute {
  const field = model.fields.find((candidate) => candidate.name === name);
  if (field) return forward(index, field);
  const keyOf = name.endsWith('_id') ? model.fields.find((candidate) => candidate.name === name.slice(0, -3)) : undefined;
  if (keyOf && (keyOf.relation === 'fk' || keyOf.relation === 'o2o')) return { kind: 'key' };
  const reverse = reverseAccessors(index, model).find((candidate) => candidate.accessor === name);
  if (reverse) {
    const from = index.models[reverse.from];
    const fromField = from?.fields.find((candidate) => candidate.name === reverse.field);
    if (!from || !fromField || !DJANGO_RELATION_FIELDS.has(fromField.type)) return { kind: 'other' };
    const type = fromField.type;
    if (reverse.relation === 'o2o') {
      // select_related follows a reverse one-to-one by its query name, which related_query_name can change.
      const selectName = fromField.relatedQueryName ?? fromField.relatedName ?? from.name.toLowerCase();
      return { kind: 'relation', step: { name, selectName, single: true, stored: false, target: from, describe: `reverse ${type} from ${from.key}` } };
    }
    return { kind: 'relation', step: { name, single: false, stored: false, target: from, describe: `reverse ${type} from ${from.key}` } };
  }
  return { kind: 'other' };
}

/** A proxy model shares its concrete model's table, and with it the relations that point at it. */
function reverseAccessors(index: ProjectIndex, model: ModelInfo, depth = 0): ReverseRelation[] {
  if (!model.proxy || depth > 10) return model.reverse;
  return [...model.reverse, ...model.bases.flatMap((key) => (index.models[key] ? reverseAccessors(index, index.models[key], depth + 1) : []))];
}

function forward(index: ProjectIndex, field: FieldInfo): Attribute {
  if (!field.relation || !DJANGO_RELATION_FIELDS.has(field.type)) return { kind: 'other' };
  if (field.relation === 'generic-fk') {
    return { kind: 'relation', step: { name: field.name, single: true, stored: true, describe: 'GenericForeignKey' } };
  }
  const type = field.type;
  const target = field.target ? index.models[field.target] : undefined;
  if (!target) return { kind: 'unknown-model', name: field.name, describe: `${type} to ${field.target ?? 'a model djfix cannot resolve'}` };
  const single = field.relation === 'fk' || field.relation === 'o2o';
  return { kind: 'relation', step: { name: field.name, selectName: single ? field.name : undefined, single, stored: single, target, describe: `${type} to ${target.key}` } };
}
