// Django's own models that projects relate to, known without their source.
import type { ModelInfo, FieldInfo } from './types';

function field(name: string, type: string, relation?: FieldInfo['relation'], target?: string, relatedName?: string, relatedQueryName?: string): FieldInfo {
  return { name, line: 0, type, relation, target, relatedName, relatedQueryName };
}

function model(key: string, module: string, fields: FieldInfo[], abstract = false): ModelInfo {
  const [app, name] = key.split('.');
  return { key, name, app, module, path: '', line: 0, abstract, proxy: false, bases: [], fields, managers: ['objects'], methods: [], reverse: [] };
}

const userFields = [
  ...['password', 'last_login', 'is_superuser', 'username', 'first_name', 'last_name', 'email', 'is_staff', 'is_active', 'date_joined'].map((name) => field(name, 'Field')),
  field('groups', 'ManyToManyField', 'm2m', 'auth.Group', 'user_set', 'user'),
  field('user_permissions', 'ManyToManyField', 'm2m', 'auth.Permission', 'user_set', 'user'),
];

export const CONTRIB_MODELS: ModelInfo[] = [
  model('contenttypes.ContentType', 'django.contrib.contenttypes.models', [field('app_label', 'CharField'), field('model', 'CharField')]),
  model('auth.Permission', 'django.contrib.auth.models', [
    field('name', 'CharField'),
    field('codename', 'CharField'),
    field('content_type', 'ForeignKey', 'fk', 'contenttypes.ContentType'),
  ]),
  model('auth.Group', 'django.contrib.auth.models', [field('name', 'CharField'), field('permissions', 'ManyToManyField', 'm2m', 'auth.Permission')]),
  model('auth.User', 'django.contrib.auth.models', userFields),
  // Abstract bases that custom user models derive from.
  model('auth.AbstractUser', 'django.contrib.auth.models', userFields, true),
  model('auth.AbstractBaseUser', 'django.contrib.auth.base_user', userFields.filter((f) => f.name === 'password' || f.name === 'last_login'), true),
  model('auth.PermissionsMixin', 'django.contrib.auth.models', userFields.filter((f) => ['is_superuser', 'groups', 'user_permissions'].includes(f.name)), true),
];

/** Qualified class names of the contrib models, as projects import them. */
export const CONTRIB_CLASSES: Record<string, string> = {
  'django.contrib.auth.models.User': 'auth.User',
  'django.contrib.auth.models.Group': 'auth.Group',
  'django.contrib.auth.models.Permission': 'auth.Permission',
  'django.contrib.contenttypes.models.ContentType': 'contenttypes.ContentType',
  'django.contrib.auth.models.AbstractUser': 'auth.AbstractUser',
  'django.contrib.auth.models.AbstractBaseUser': 'auth.AbstractBaseUser',
  'django.contrib.auth.base_user.AbstractBaseUser': 'auth.AbstractBaseUser',
  'django.contrib.auth.models.PermissionsMixin': 'auth.PermissionsMixin',
};
