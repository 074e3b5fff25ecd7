// The MIDDLEWARE ordering rules as data: which middleware djfix knows, the groups rules speak about,
// and every rule with its strength and source. plan.ts interprets them; nothing here is code.
//
// Conventions every rule follows (plan.ts implements them):
// - `a < b` means a comes before b in settings.MIDDLEWARE. A rule over a group covers each of its
//   members that is present; rules about absent middleware do nothing.
// - An entry counts as a middleware when it is that class or a subclass of it (the caller resolves
//   subclasses), so `netbox.middleware.CommonMiddleware(CommonMiddleware)` carries Common's rules.
// - Position rules (first, last, top, bottom) compare only with middleware listed here. A project's own
//   middleware is never moved to satisfy them: djfix can't know what it needs to come first for
//   (request ids, metrics timers...). Its own requirements reach the planner as inferred rules.
// - Groups are deliberately narrow: a middleware is in a group only when Django's docs (or the
//   project's own docs or source) make it so, so a rule over a group never asks for a move that the
//   docs don't.
// - A recommendation encodes only what its source asks in so many words. "Close to the top" and "as
//   high as possible" are kept only where the source says what they are for (CommonMiddleware's
//   Content-Length, CorsMiddleware above what can build a response): read more broadly they move
//   correctly configured lists around for no gain.

export type RuleStrength = 'required' | 'recommended' | 'conditional';

/**
 * before: every member of `a` comes before every member of `b`.
 * first:  `a` comes before every other known middleware; `b`, when given, stays above it ("first after b").
 * last:   `a` comes after every other known middleware; `b`, when given, stays below it.
 * top:    "near the top" (soft): `a` comes before the members of `b` (default: every known middleware),
 *         except those another rule places above it and those that themselves ask to be near the top
 *         above `a` (two "as high as possible" middleware keep the order they are written in).
 * bottom: "near the bottom", the mirror image of top.
 */
export type RuleKind = 'before' | 'first' | 'last' | 'top' | 'bottom';

export interface OrderRule {
  /** Stable, e.g. `session-before-authentication`; printed by `djfix --explain`. */
  id: string;
  kind: RuleKind;
  /** A middleware dotted path or a group name from MIDDLEWARE_GROUPS (`@...`). */
  a: string;
  b?: string;
  /**
   * required: something breaks otherwise. recommended: the docs ask for it; djfix offers it as a change of
   * its own to review, after any required fix. conditional: required when `when` holds.
   */
  strength: RuleStrength;
  /**
   * The rule applies only when this setting is `equals` (by truth for booleans) in the settings that use
   * the list. When that is not certain (settings layered differently, a value computed at run time), the
   * rule is neither applied nor broken: see plan.ts.
   */
  when?: { setting: string; equals: unknown };
  /** The first Django version that has the middleware the rule is about. */
  minDjango?: [number, number];
  /** One sentence the user reads next to the change. */
  text: string;
  sources: string[];
}

/** Every middleware djfix knows, by a short name used in tests and in the tables below. */
export const MIDDLEWARE = {
  security: 'django.middleware.security.SecurityMiddleware',
  session: 'django.contrib.sessions.middleware.SessionMiddleware',
  common: 'django.middleware.common.CommonMiddleware',
  brokenLinkEmails: 'django.middleware.common.BrokenLinkEmailsMiddleware',
  csrf: 'django.middleware.csrf.CsrfViewMiddleware',
  authentication: 'django.contrib.auth.middleware.AuthenticationMiddleware',
  remoteUser: 'django.contrib.auth.middleware.RemoteUserMiddleware',
  persistentRemoteUser: 'django.contrib.auth.middleware.PersistentRemoteUserMiddleware',
  loginRequired: 'django.contrib.auth.middleware.LoginRequiredMiddleware',
  messages: 'django.contrib.messages.middleware.MessageMiddleware',
  xFrameOptions: 'django.middleware.clickjacking.XFrameOptionsMiddleware',
  updateCache: 'django.middleware.cache.UpdateCacheMiddleware',
  fetchFromCache: 'django.middleware.cache.FetchFromCacheMiddleware',
  gzip: 'django.middleware.gzip.GZipMiddleware',
  conditionalGet: 'django.middleware.http.ConditionalGetMiddleware',
  locale: 'django.middleware.locale.LocaleMiddleware',
  flatpageFallback: 'django.contrib.flatpages.middleware.FlatpageFallbackMiddleware',
  redirectFallback: 'django.contrib.redirects.middleware.RedirectFallbackMiddleware',
  contentSecurityPolicy: 'django.middleware.csp.ContentSecurityPolicyMiddleware',
  currentSite: 'django.contrib.sites.middleware.CurrentSiteMiddleware',
  cors: 'corsheaders.middleware.CorsMiddleware',
  whiteNoise: 'whitenoise.middleware.WhiteNoiseMiddleware',
  debugToolbar: 'debug_toolbar.middleware.DebugToolbarMiddleware',
  allauthAccount: 'allauth.account.middleware.AccountMiddleware',
  axes: 'axes.middleware.AxesMiddleware',
  otp: 'django_otp.middleware.OTPMiddleware',
  silk: 'silk.middleware.SilkyMiddleware',
  djangoCsp: 'csp.middleware.CSPMiddleware',
  htmx: 'django_htmx.middleware.HtmxMiddleware',
} as const;

export const KNOWN_MIDDLEWARE: readonly string[] = Object.values(MIDDLEWARE);

const M = MIDDLEWARE;

/** Replace the response on its way out (a 404 turned into a page or redirect, a lockout page). */
const replacesResponse = [M.flatpageFallback, M.redirectFallback, M.axes];

export const MIDDLEWARE_GROUPS: Record<string, string[]> = {
  // Add to the Vary header. Django's docs name Session, GZip and Locale; the cache docs' principle
  // ("any other middleware that might add something to the Vary header") also covers CsrfViewMiddleware
  // (Vary: Cookie with the token cookie) and CorsMiddleware (Vary: Origin), per their source.
  '@patches-vary': [M.session, M.gzip, M.locale, M.csrf, M.cors],
  // Can answer a request from its request phase, so nothing below it runs: HTTPS and
  // APPEND_SLASH/PREPEND_WWW redirects, CORS preflights, static files, cache hits.
  '@answers-early': [M.security, M.common, M.cors, M.whiteNoise, M.fetchFromCache],
  // Build a response of their own, early or on the way out; headers added by middleware below them
  // never reach it. Security is left out: corsheaders asks to go right after it.
  '@builds-response': [M.common, M.locale, M.whiteNoise, M.fetchFromCache, ...replacesResponse],
  '@replaces-response': replacesResponse,
  // Rewrite or replace the response body, so an ETag computed below them would be wrong. The debug
  // toolbar injects itself into HTML (and resets Content-Length, so CommonMiddleware needn't precede it:
  // CommonMiddleware's rule uses @replaces-response). CommonMiddleware itself changes only headers; its
  // Content-Length has a rule of its own (conditional-get-before-common).
  '@changes-response': [M.debugToolbar, ...replacesResponse],
  // Need the uncompressed body: ConditionalGet hashes it for the ETag, the toolbar rewrites it and silk
  // records it (each project's docs ask for GZip above it). The fallbacks also replace bodies but break
  // nothing when compressed or not, and sit near the bottom anyway.
  '@uses-response-body': [M.conditionalGet, M.debugToolbar, M.silk],
  // Turn 404s into something else before BrokenLinkEmails could see them. CommonMiddleware's
  // APPEND_SLASH redirect also does, on purpose: a slash redirect is not a broken link.
  '@intercepts-404': [M.locale, M.flatpageFallback, M.redirectFallback],
  '@remote-user': [M.remoteUser, M.persistentRemoteUser],
  // Put the session, the user and the message storage on the request.
  '@request-state': [M.session, M.authentication, M.messages],
};

const ORDERING_HINTS = 'docs/ref/middleware.txt "Middleware ordering"';

// XFrameOptionsMiddleware, CurrentSiteMiddleware, django-csp's CSPMiddleware and HtmxMiddleware are known
// but have no rule: their docs set no order (django-csp's only matters when another middleware edits
// the CSP header).
export const MIDDLEWARE_RULES: OrderRule[] = [
  // Django (docs/ref/middleware.txt "Middleware ordering" and the pages it links to).
  {
    id: 'security-near-top',
    kind: 'top',
    a: M.security,
    strength: 'recommended',
    text:
      'SecurityMiddleware belongs near the top (startproject puts it first): its HTTPS redirect should run before other ' +
      'middleware do any work, and responses built above it miss its security headers.',
    sources: [ORDERING_HINTS, 'django/conf/project_template/project_name/settings.py-tpl'],
  },
  {
    id: 'update-cache-before-vary',
    kind: 'before',
    a: M.updateCache,
    b: '@patches-vary',
    strength: 'required',
    text:
      'UpdateCacheMiddleware must come before middleware that add to the Vary header (Session, GZip, Locale, CSRF, CORS): ' +
      'it runs last on the response and keys the cache by the final Vary.',
    sources: [ORDERING_HINTS, 'docs/topics/cache.txt "Order of MIDDLEWARE"'],
  },
  {
    id: 'fetch-cache-after-vary',
    kind: 'before',
    a: '@patches-vary',
    b: M.fetchFromCache,
    strength: 'required',
    text:
      'FetchFromCacheMiddleware must come after middleware that add to the Vary header: it looks the request up in the ' +
      'cache by those headers.',
    sources: [ORDERING_HINTS, 'docs/topics/cache.txt "Order of MIDDLEWARE"'],
  },
  {
    id: 'update-cache-first',
    kind: 'first',
    a: M.updateCache,
    strength: 'recommended',
    text: 'The site-wide cache puts UpdateCacheMiddleware first in MIDDLEWARE ("No, that\'s not a typo").',
    sources: ['docs/topics/cache.txt "The per-site cache"'],
  },
  {
    id: 'fetch-cache-last',
    kind: 'last',
    a: M.fetchFromCache,
    strength: 'recommended',
    text: 'The site-wide cache puts FetchFromCacheMiddleware last in MIDDLEWARE: anything below it is skipped on a cache hit.',
    sources: ['docs/topics/cache.txt "The per-site cache"'],
  },
  {
    id: 'gzip-before-body-users',
    kind: 'before',
    a: M.gzip,
    b: '@uses-response-body',
    strength: 'required',
    text:
      'GZipMiddleware must come before middleware that read or rewrite the response body (ConditionalGet, the debug ' +
      'toolbar, silk), so they see it uncompressed and compression happens last.',
    sources: [ORDERING_HINTS, 'django-debug-toolbar docs "Installation"', 'django-silk README "Installation"'],
  },
  {
    id: 'conditional-get-before-response-changes',
    kind: 'before',
    a: M.conditionalGet,
    b: '@changes-response',
    strength: 'required',
    text:
      'ConditionalGetMiddleware must come before middleware that rewrite or replace the response (debug toolbar, ' +
      'flatpage and redirect fallbacks, axes): it computes the ETag from the response they would change.',
    sources: [ORDERING_HINTS],
  },
  {
    id: 'conditional-get-before-common',
    kind: 'before',
    a: M.conditionalGet,
    b: M.common,
    strength: 'required',
    text:
      'ConditionalGetMiddleware must come before CommonMiddleware: Common sets Content-Length on every response it ' +
      'passes back, so below it the 304 that ConditionalGet builds goes out with "Content-Length: 0", which HTTP forbids ' +
      'for a 304 (RFC 9110, section 8.6).',
    sources: [ORDERING_HINTS, 'django/middleware/common.py', 'django/utils/cache.py'],
  },
  {
    id: 'session-before-locale',
    kind: 'before',
    a: M.session,
    b: M.locale,
    strength: 'recommended',
    text: "Django's ordering hints put LocaleMiddleware after SessionMiddleware.",
    sources: [ORDERING_HINTS, 'docs/topics/i18n/translation.txt "How Django discovers language preference"'],
  },
  {
    id: 'locale-before-common',
    kind: 'before',
    a: M.locale,
    b: M.common,
    strength: 'required',
    text: 'LocaleMiddleware must come before CommonMiddleware: Common needs the activated language to resolve the URL.',
    sources: ['docs/topics/i18n/translation.txt "How Django discovers language preference"', ORDERING_HINTS],
  },
  {
    id: 'common-before-response-replacers',
    kind: 'before',
    a: M.common,
    b: '@replaces-response',
    strength: 'recommended',
    text:
      'CommonMiddleware should come before middleware that replace the response (flatpage and redirect fallbacks, axes): ' +
      'it sets Content-Length on what they return.',
    sources: [ORDERING_HINTS],
  },
  {
    id: 'session-before-csrf-with-csrf-use-sessions',
    kind: 'before',
    a: M.session,
    b: M.csrf,
    strength: 'conditional',
    when: { setting: 'CSRF_USE_SESSIONS', equals: true },
    text:
      'With CSRF_USE_SESSIONS = True, SessionMiddleware must come before CsrfViewMiddleware: the token lives in ' +
      'request.session (ImproperlyConfigured otherwise).',
    sources: [ORDERING_HINTS, 'django/middleware/csrf.py'],
  },
  {
    id: 'session-before-common-with-csrf-use-sessions',
    kind: 'before',
    a: M.session,
    b: M.common,
    strength: 'conditional',
    when: { setting: 'CSRF_USE_SESSIONS', equals: true },
    text:
      'With CSRF_USE_SESSIONS = True, SessionMiddleware must come before CommonMiddleware: Common can raise ' +
      'PermissionDenied, and the error view may need the CSRF token from the session.',
    sources: [ORDERING_HINTS],
  },
  {
    id: 'csrf-before-remote-user',
    kind: 'before',
    a: M.csrf,
    b: '@remote-user',
    strength: 'required',
    text: 'CsrfViewMiddleware must come before RemoteUserMiddleware: a login there rotates the CSRF token before the check.',
    sources: [ORDERING_HINTS],
  },
  {
    id: 'session-before-authentication',
    kind: 'before',
    a: M.session,
    b: M.authentication,
    strength: 'required',
    text:
      'SessionMiddleware must come before AuthenticationMiddleware: authentication reads the user from the session and ' +
      'fails on every request otherwise.',
    sources: [ORDERING_HINTS, 'django/contrib/auth/middleware.py'],
  },
  {
    id: 'authentication-before-remote-user',
    kind: 'before',
    a: M.authentication,
    b: '@remote-user',
    strength: 'required',
    text: 'AuthenticationMiddleware must come before RemoteUserMiddleware: it needs request.user (ImproperlyConfigured otherwise).',
    sources: ['docs/howto/auth-remote-user.txt', 'django/contrib/auth/middleware.py'],
  },
  {
    id: 'authentication-before-login-required',
    kind: 'before',
    a: M.authentication,
    b: M.loginRequired,
    strength: 'required',
    minDjango: [5, 1],
    text: 'AuthenticationMiddleware must come before LoginRequiredMiddleware: it checks request.user (system check auth.E013).',
    sources: [ORDERING_HINTS, 'django/contrib/auth/checks.py'],
  },
  {
    id: 'session-before-messages',
    kind: 'before',
    a: M.session,
    b: M.messages,
    strength: 'required',
    text:
      'SessionMiddleware must come before MessageMiddleware: the default message storage falls back to the session and ' +
      'asserts it is there.',
    sources: [ORDERING_HINTS, 'django/contrib/messages/storage/session.py'],
  },
  {
    id: 'broken-link-emails-before-404-handlers',
    kind: 'before',
    a: M.brokenLinkEmails,
    b: '@intercepts-404',
    strength: 'required',
    text:
      'BrokenLinkEmailsMiddleware must come before middleware that intercept 404s (Locale, flatpage and redirect ' +
      'fallbacks), or it never sees the 404s it reports.',
    sources: ['docs/howto/error-reporting.txt "404 errors"'],
  },
  {
    id: 'flatpage-fallback-near-bottom',
    kind: 'bottom',
    a: M.flatpageFallback,
    strength: 'recommended',
    text: 'FlatpageFallbackMiddleware belongs near the bottom: it is a last resort for 404s.',
    sources: [ORDERING_HINTS, 'docs/ref/contrib/flatpages.txt'],
  },
  {
    id: 'redirect-fallback-near-bottom',
    kind: 'bottom',
    a: M.redirectFallback,
    strength: 'recommended',
    text: 'RedirectFallbackMiddleware belongs near the bottom: it is a last resort for 404s.',
    sources: [ORDERING_HINTS, 'docs/ref/contrib/redirects.txt'],
  },
  {
    id: 'csp-near-bottom',
    kind: 'bottom',
    a: M.contentSecurityPolicy,
    strength: 'recommended',
    minDjango: [6, 0],
    text: 'ContentSecurityPolicyMiddleware can sit near the bottom; middleware that read the CSP nonce must come after it.',
    sources: [ORDERING_HINTS],
  },

  // Third-party middleware, from each project's own installation docs.
  {
    id: 'cors-before-response-builders',
    kind: 'before',
    a: M.cors,
    b: '@builds-response',
    strength: 'recommended',
    text:
      'CorsMiddleware should come before middleware that can build a response (CommonMiddleware, WhiteNoise, ...), ' +
      'or those responses lack the CORS headers. (Its README says "as high as possible, especially before" these; ' +
      'above them is what matters.)',
    sources: ['django-cors-headers README "Setup"'],
  },
  {
    id: 'whitenoise-first-after-security',
    kind: 'first',
    a: M.whiteNoise,
    b: M.security,
    strength: 'recommended',
    text: 'WhiteNoiseMiddleware belongs directly after SecurityMiddleware, above all other middleware.',
    sources: ['whitenoise docs "Using WhiteNoise with Django"'],
  },
  {
    id: 'debug-toolbar-near-top',
    kind: 'top',
    a: M.debugToolbar,
    strength: 'recommended',
    text: 'DebugToolbarMiddleware belongs as early as possible (after anything that encodes the response, such as GZip).',
    sources: ['django-debug-toolbar docs "Installation"'],
  },
  {
    id: 'allauth-account-after-request-state',
    kind: 'before',
    a: '@request-state',
    b: M.allauthAccount,
    strength: 'recommended',
    text: "allauth's AccountMiddleware belongs after the session, authentication and message middleware.",
    sources: ['django-allauth docs "Installation"'],
  },
  {
    id: 'axes-last',
    kind: 'last',
    a: M.axes,
    strength: 'recommended',
    text: 'AxesMiddleware belongs last in MIDDLEWARE.',
    sources: ['django-axes docs "Installation"'],
  },
  {
    id: 'otp-after-authentication',
    kind: 'before',
    a: M.authentication,
    b: M.otp,
    strength: 'required',
    text: "django-otp's OTPMiddleware must come after AuthenticationMiddleware: it wraps request.user.",
    sources: ['django-otp docs "Installation"'],
  },
  {
    id: 'silk-before-early-answers',
    kind: 'before',
    a: M.silk,
    b: '@answers-early',
    strength: 'recommended',
    text:
      'SilkyMiddleware should come before middleware that can answer a request early (HTTPS and slash redirects, ' +
      'CORS preflights, static files, cache hits), or those requests are never recorded.',
    sources: ['django-silk README "Installation"'],
  },
];
