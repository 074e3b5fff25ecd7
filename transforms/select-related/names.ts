// Which model a name in the file refers to: an imported or local model class, `get_user_model()`,
// `apps.get_model("label", "Model")`, or a name assigned from one of those. Anything else (a
// parameter, a name assigned twice, a module djfix does not know) resolves to nothing.
import type { Node } from '../../src/parse';
import { stringValue } from '../../src/parse';
import { resolveClass, settingLiteral } from '../../src/project/index';
import type { ModelInfo, ProjectIndex } from '../../src/project/index';
import { resolveImportModule } from '../../src/project/modules';
import { ChainCall, unwind } from './chains';
import { Binding, isWithin, Scopes } from './scope';

const GET_USER_MODEL = 'django.contrib.auth.get_user_model';
const GET_MODEL = 'django.apps.apps.get_model';
const GET_OBJECT_OR_404 = 'django.shortcuts.get_object_or_404';
/** QuerySet methods that return one instance. */
const INSTANCE_GETTERS = new Set(['get', 'create', 'first', 'last', 'latest', 'earliest']);

export class Names {
  constructor(
    private readonly index: ProjectIndex,
    private readonly module: string,
    private readonly isPackage: boolean,
    readonly scopes: Scopes,
  ) {}

  /** The model an expression such as `Order`, `models.Order`, `User` or `get_user_model()` denotes. */
  model(expression: Node, depth = 0): ModelInfo | undefined {
    if (depth > 4) return undefined;
    if (expression.type === 'call') return this.modelFromCall(expression);
    if (expression.type === 'identifier') {
      const binding = this.onlyBinding(expression);
      if (binding?.kind === 'assign') return this.model(binding.value, depth + 1);
    }
    return this.modelOfQualified(this.qualifiedName(expression));
  }

  /** The dotted name an expression refers to through imports and module-level classes: `models.Order` -> `shop.models.Order`. */
  qualifiedName(expression: Node): string | undefined {
    if (expression.type === 'attribute') {
      const object = expression.childForFieldName('object');
      const head = object && this.qualifiedName(object);
      return head ? `${head}.${expression.childForFieldName('attribute')?.text}` : undefined;
    }
    if (expression.type !== 'identifier') return undefined;
    const scope = this.scopes.definingScope(expression, expression.text);
    // Not bound in this file at all: a builtin, or a star import djfix does not follow.
    if (!scope) return undefined;
    const binding = this.onlyBinding(expression);
    if (binding?.kind === 'class' && scope.type === 'module') return `${this.module}.${expression.text}`;
    if (binding?.kind !== 'import') return undefined;
    return scope.type === 'module' ? this.index.bindings[this.module]?.[expression.text] : this.importedName(binding.node);
  }

  /** The binding of a name as read at `identifier`, when exactly one statement binds it. */
  private onlyBinding(identifier: Node): Binding | undefined {
    const scope = this.scopes.definingScope(identifier, identifier.text);
    const bindings = scope ? this.scopes.bindingsOf(scope, identifier.text) : [];
    return bindings.length === 1 ? bindings[0] : undefined;
  }

  /** What a function-level import binds: `from ..orders.models import Order as O` -> `orders.models.Order`. */
  private importedName(bound: Node): string | undefined {
    let statement: Node | null = bound;
    while (statement && statement.type !== 'import_statement' && statement.type !== 'import_from_statement') statement = statement.parent;
    if (!statement) return undefined;
    const item = statement.childrenForFieldName('name').find((name) => isWithin(bound, name));
    if (!item) return undefined;
    const imported = item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text;
    if (!imported) return undefined;
    if (statement.type === 'import_statement') return item.type === 'aliased_import' ? imported : imported.split('.')[0];
    const moduleNode = statement.childForFieldName('module_name');
    const relative = moduleNode?.type === 'relative_import';
    const level = relative ? moduleNode.namedChildren.find((child) => child.type === 'import_prefix')?.text.length ?? 0 : 0;
    const module = relative ? moduleNode.namedChildren.find((child) => child.type === 'dotted_name')?.text ?? '' : moduleNode?.text ?? '';
    const resolved = resolveImportModule({ module, level }, this.module, this.isPackage);
    return resolved && `${resolved}.${imported}`;
  }

  /**
   * The model of the instance a name holds, when every statement that binds it in its scope makes one
   * the same way: `Order(...)`, `Order.objects....get(...)` (or create, first, last, latest, earliest),
   * `get_object_or_404(Order, ...)`. `calls` are the queryset calls it came through.
   */
  instance(expression: Node): { model: ModelInfo; calls: ChainCall[] } | undefined {
    if (expression.type !== 'identifier') return this.instanceFrom(expression);
    const scope = this.scopes.definingScope(expression, expression.text);
    const bindings = scope ? this.scopes.bindingsOf(scope, expression.text) : [];
    const found = bindings.map((binding) => (binding.kind === 'assign' ? this.instanceFrom(binding.value) : undefined));
    const [first] = found;
    return first && found.every((candidate) => candidate?.model === first.model) ? first : undefined;
  }

  private instanceFrom(value: Node): { model: ModelInfo; calls: ChainCall[] } | undefined {
    const { base, calls } = unwind(value);
    if (base.type === 'call' && calls.length === 0) {
      const callee = base.childForFieldName('function')!;
      const args = (base.childForFieldName('arguments')?.namedChildren ?? []).filter((arg) => arg.type !== 'comment');
      if (this.qualifiedName(callee) === GET_OBJECT_OR_404 && args[0]) {
        const inner = unwind(args[0]);
        const model = inner.calls.length === 0 ? this.model(args[0]) : this.managerModel(inner.base);
        return model && { model, calls: inner.calls };
      }
      const model = this.model(callee);
      return model && { model, calls: [] };
    }
    const last = calls[calls.length - 1];
    const model = last && INSTANCE_GETTERS.has(last.name) ? this.managerModel(base) : undefined;
    return model && { model, calls };
  }

  /** The model whose manager `Model.objects` (or another manager it declares) is. */
  managerModel(expression: Node): ModelInfo | undefined {
    if (expression.type !== 'attribute') return undefined;
    const model = this.model(expression.childForFieldName('object')!);
    const manager = expression.childForFieldName('attribute')!.text;
    if (!model || model.abstract) return undefined;
    return model.managers.includes(manager) || manager === '_default_manager' || manager === '_base_manager' ? model : undefined;
  }

  /** `get_user_model()`, `apps.get_model("sales", "Order")`, `apps.get_model("sales.Order")`. */
  private modelFromCall(call: Node): ModelInfo | undefined {
    const callee = call.childForFieldName('function');
    const name = callee && this.qualifiedName(callee);
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((arg) => arg.type !== 'comment');
    if (name === GET_USER_MODEL && args.length === 0) return this.userModel();
    if (name !== GET_MODEL || args.some((arg) => arg.type !== 'string')) return undefined;
    const values = args.map((arg) => stringValue(arg));
    if (values.length === 1 && values[0]?.includes('.')) return this.modelByLabel(...(values[0].split('.') as [string, string]));
    if (values.length === 2 && values[0] && values[1]) return this.modelByLabel(values[0], values[1]);
    return undefined;
  }

  private userModel(): ModelInfo | undefined {
    const configured = settingLiteral(this.index, 'AUTH_USER_MODEL');
    if (configured === undefined) return this.index.models['auth.User'];
    return configured.kind === 'str' && configured.value.includes('.') ? this.modelByLabel(...(configured.value.split('.') as [string, string])) : undefined;
  }

  /** `apps.get_model` matches the model name case-insensitively. */
  private modelByLabel(label: string, name: string): ModelInfo | undefined {
    const lower = name.toLowerCase();
    return Object.values(this.index.models).find((model) => model.app === label && model.name.toLowerCase() === lower && !model.abstract);
  }

  private modelOfQualified(qualified: string | undefined): ModelInfo | undefined {
    if (!qualified) return undefined;
    const key = this.index.modelClasses[resolveClass(this.index, qualified)];
    return key ? this.index.models[key] : undefined;
  }
}
