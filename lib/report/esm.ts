/**
 * Loading ES-module-only packages from CommonJS code that tslab also compiles: tslab rewrites
 * `import()` into `require()`, which cannot load ES modules (top-level await in particular), so
 * the import expression is hidden from the compiler in a Function. Works in tslab cells only when
 * called from a lib module (a cell's own `new Function` has no dynamic-import host in tslab's vm).
 */

// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<unknown>;

/** `import(specifier)` that survives CommonJS and tslab compilation. */
export function importESM<T = unknown>(specifier: string): Promise<T> {
  return dynamicImport(specifier) as Promise<T>;
}
