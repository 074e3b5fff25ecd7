// Models of the project: which classes are models, their fields and relations, managers, and the
// reverse accessors relations create on their targets.
import type { CallFact, ClassFact, Literal } from '../facts';
import { declaresField } from '../class-facts';
import { CONTRIB_CLASSES, CONTRIB_MODELS } from './contrib';
import type { FieldInfo, IndexInput, ModelInfo, ProjectIndex, RelationKind } from './types';
import { appOfModule, resolveClass, settingLiteral } from './lookup';

const MODEL_BASES = new Set(['django.db.models.Model', 'django.db.models.base.Model']);
const RELATIONS: Record<string, RelationKind> = {
  ForeignKey: 'fk',
  OneToOneField: 'o2o',
  ManyToManyField: 'm2m',
  GenericForeignKey: 'generic-fk',
  GenericRelation: 'generic-relation',
  ParentalKey: 'fk',
  ParentalManyToManyField: 'm2m',
};

interface Candidate {
  input: IndexInput;
  cls: ClassFact;
  qualified: string;
}

export function buildModels(inputs: IndexInput[], index: ProjectIndex): void {
  for (const model of CONTRIB_MODELS) index.models[model.key] = structuredClone(model);
  Object.assign(index.modelClasses, CONTRIB_CLASSES);
  const candidates = new Map<string, Candidate>();
  for (const input of inputs) {
    for (const cls of input.facts.classes) candidates.set(`${input.module}.${cls.name}`, { input, cls, qualified: `${input.module}.${cls.name}` });
  }
  // A class is a model when a base is one; bases may be defined anywhere, so settle this first.
  const isModel = new Map<string, boolean>();
  const modelCheck = (qualified: string, depth: number): boolean => {
    const resolved = resolveClass(index, qualified);
    if (MODEL_BASES.has(resolved) || resolved in CONTRIB_CLASSES) return true;
    const cached = isModel.get(resolved);
    if (cached !== undefined) return cached;
    const info = index.classes[resolved];
    if (!info || depth > 20) return false;
    isModel.set(resolved, false);
    const result = info.bases.some((base) => modelCheck(base, depth + 1));
    isModel.set(resolved, result);
    return result;
  };
  const models: Candidate[] = [...candidates.values()].filter((candidate) => modelCheck(candidate.qualified, 0));
  const defaultRelatedNames = new Map<string, string>();
  for (const { input, cls, qualified } of models) {
    const appLabel = literalString(cls.meta.app_label) ?? appOfModule(index, input.module)?.label ?? input.module.split('.').slice(-2, -1)[0] ?? input.module;
    const key = `${appLabel}.${cls.name}`;
    index.modelClasses[qualified] = key;
    index.models[key] = {
      key,
      name: cls.name,
      app: appLabel,
      module: input.module,
      path: input.path,
      line: cls.line,
      abstract: cls.meta.abstract?.kind === 'bool' && cls.meta.abstract.value,
      proxy: cls.meta.proxy?.kind === 'bool' && cls.meta.proxy.value,
      bases: [],
      fields: [],
      managers: [],
      methods: cls.methods,
      reverse: [],
    };
    const defaultRelatedName = literalString(cls.meta.default_related_name);
    if (defaultRelatedName) defaultRelatedNames.set(key, defaultRelatedName);
  }
  for (const { input, cls, qualified } of models) {
    const model = index.models[index.modelClasses[qualified]];
    model.bases = index.classes[qualified].bases.map((base) => index.modelClasses[resolveClass(index, base)]).filter((key): key is string => key !== undefined);
    const bindings = index.bindings[input.module] ?? {};
    for (const attribute of cls.attributes) {
      if (!attribute.call) continue;
      const callee = attribute.call.callee;
      const tail = callee.split('.').pop()!;
      if (isManager(callee, tail)) {
        model.managers.push(attribute.name);
        continue;
      }
      if (!declaresField(callee)) continue;
      model.fields.push(fieldInfo(attribute.name, attribute.line, tail, attribute.call, model, input.module, bindings, index));
    }
  }
  // Inherited fields and managers, then reverse accessors of concrete models.
  const settled = new Set<string>();
  const inherit = (model: ModelInfo, depth: number) => {
    if (settled.has(model.key) || depth > 20) return;
    settled.add(model.key);
    for (const baseKey of model.bases) {
      const base = index.models[baseKey];
      if (!base) continue;
      inherit(base, depth + 1);
      const own = new Set(model.fields.map((field) => field.name));
      model.fields.push(
        ...base.fields
          .filter((field) => !own.has(field.name))
          .map((field) => ({ ...field, relatedName: field.relatedName && substitute(field.relatedName, model), relatedQueryName: field.relatedQueryName && substitute(field.relatedQueryName, model) })),
      );
      if (base.abstract) model.managers.push(...base.managers.filter((manager) => !model.managers.includes(manager)));
      model.methods.push(...base.methods.filter((method) => !model.methods.includes(method)));
    }
  };
  for (const model of Object.values(index.models)) inherit(model, 0);
  for (const model of Object.values(index.models)) {
    if (model.managers.length === 0) model.managers.push('objects');
    if (model.abstract) continue;
    for (const field of model.fields) {
      // A multi-table child sees its parents' fields, but their reverse accessors belong to the parent.
      if (declaredOnConcreteBase(index, model, field.name)) continue;
      settleRelatedNames(field, model, defaultRelatedName(index, model, defaultRelatedNames));
      addReverse(index, model, field);
    }
  }
}

/**
 * What Django does when a relation field joins a concrete model: related_name falls back to
 * Meta.default_related_name, and both names have `%(class)s`, `%(model_name)s`, `%(app_label)s` filled in.
 */
function settleRelatedNames(field: FieldInfo, model: ModelInfo, defaultRelatedName: string | undefined): void {
  if (!field.relation || field.relation === 'generic-fk') return;
  const relatedName = field.relatedName ?? defaultRelatedName;
  if (relatedName) field.relatedName = substitute(relatedName, model);
  if (field.relatedQueryName) field.relatedQueryName = substitute(field.relatedQueryName, model);
}

/** Meta.default_related_name of the model, else one inherited from an abstract base's Meta. */
function defaultRelatedName(index: ProjectIndex, model: ModelInfo, own: Map<string, string>, depth = 0): string | undefined {
  const found = own.get(model.key);
  if (found || depth > 20) return found;
  for (const baseKey of model.bases) {
    const base = index.models[baseKey];
    const inherited = base?.abstract ? defaultRelatedName(index, base, own, depth + 1) : undefined;
    if (inherited) return inherited;
  }
  return undefined;
}

function declaredOnConcreteBase(index: ProjectIndex, model: ModelInfo, fieldName: string, depth = 0): boolean {
  if (depth > 20) return false;
  return model.bases.some((baseKey) => {
    const base = index.models[baseKey];
    if (!base) return false;
    if (!base.abstract && base.fields.some((field) => field.name === fieldName)) return true;
    return declaredOnConcreteBase(index, base, fieldName, depth + 1);
  });
}

// django-taggit's and modelcluster's tag managers are relation fields named like managers.
const TAG_FIELDS = new Set(['TaggableManager', 'ClusterTaggableManager']);

function isManager(callee: string, tail: string): boolean {
  if (TAG_FIELDS.has(tail)) return false;
  return /Manager$/.test(tail) || /\.from_queryset\(|\.as_manager$/.test(callee) || tail === 'as_manager';
}

function fieldInfo(name: string, line: number, type: string, call: CallFact, model: ModelInfo, module: string, bindings: Record<string, string>, index: ProjectIndex): FieldInfo {
  const relation = RELATIONS[type];
  const field: FieldInfo = { name, line, type, relation };
  if (call.kwargs.primary_key?.kind === 'bool' && call.kwargs.primary_key.value) field.primaryKey = true;
  if (!relation) return field;
  field.relatedName = literalString(call.kwargs.related_name);
  const toField = literalString(call.kwargs.to_field);
  if (toField) field.toField = toField;
  field.relatedQueryName = literalString(call.kwargs.related_query_name);
  if (relation === 'generic-fk') return field;
  const target = call.kwargs.to ?? call.args[0];
  field.target = target && resolveTarget(target, model, module, bindings, index);
  return field;
}

/** `"self"`, `"app.Model"`, `"Model"`, a class name, `settings.AUTH_USER_MODEL`, `get_user_model()`. */
function resolveTarget(target: Literal, model: ModelInfo, module: string, bindings: Record<string, string>, index: ProjectIndex): string | undefined {
  if (target.kind === 'str') {
    if (target.value === 'self') return model.key;
    if (target.value.includes('.')) return caseInsensitiveKey(index, target.value);
    return caseInsensitiveKey(index, `${model.app}.${target.value}`);
  }
  if (target.kind !== 'expr') return undefined;
  if (/^(django\.conf\.)?settings\.AUTH_USER_MODEL$|^(\w+\.)*get_user_model\(\)$/.test(target.text)) {
    const configured = settingLiteral(index, 'AUTH_USER_MODEL');
    return configured?.kind === 'str' ? caseInsensitiveKey(index, configured.value) : 'auth.User';
  }
  if (!/^[\w.]+$/.test(target.text)) return undefined;
  const [head, ...rest] = target.text.split('.');
  const qualified = bindings[head] ? [bindings[head], ...rest].join('.') : `${module}.${target.text}`;
  return index.modelClasses[resolveClass(index, qualified)];
}

function caseInsensitiveKey(index: ProjectIndex, key: string): string | undefined {
  if (index.models[key]) return key;
  const lower = key.toLowerCase();
  return Object.keys(index.models).find((candidate) => candidate.toLowerCase() === lower) ?? key;
}

function addReverse(index: ProjectIndex, model: ModelInfo, field: FieldInfo): void {
  if (!field.relation || !field.target || field.relation === 'generic-fk' || field.relation === 'generic-relation') return;
  const target = index.models[field.target];
  if (!target) return;
  const related = field.relatedName;
  if (related && related.endsWith('+')) return;
  const lower = model.name.toLowerCase();
  const accessor = related ?? (field.relation === 'o2o' ? lower : `${lower}_set`);
  target.reverse.push({ accessor, from: model.key, field: field.name, relation: field.relation });
}

/** related_name and related_query_name may use `%(class)s`, `%(model_name)s` and `%(app_label)s`. */
function substitute(relatedName: string, model: ModelInfo): string {
  return relatedName
    .replace(/%\((class|model_name)\)s/g, model.name.toLowerCase())
    .replace(/%\(app_label\)s/g, model.app.toLowerCase());
}

function literalString(value: Literal | undefined): string | undefined {
  return value?.kind === 'str' ? value.value : undefined;
}
