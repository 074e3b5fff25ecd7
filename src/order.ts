// The one order djfix sorts text in (paths, modules, messages), whatever the machine's locale: output
// must not depend on LANG (a Danish locale sorts "aa/" after "z/"). en-US collation is what Node
// uses for the C and POSIX locales, so CI machines sort as they always did. One collator, built once:
// String.prototype.localeCompare looks one up on every call.
export const compareText = new Intl.Collator('en-US').compare;
