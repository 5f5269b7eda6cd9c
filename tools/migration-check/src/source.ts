import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * What the migration steps need to know about a service's handler code, read with the TypeScript
 * compiler's parser (no regexes): which Redis clients it builds and from what, whether it uses the
 * platform's cache and its health check, and which old Redis variables it still reads.
 */

/** The runtime library and its entry points. */
export const CACHE_CLIENT_MODULE = '@cache-platform/cache-client';
/** Variables a hand-wired service used to find its Redis: the old configuration step 6 removes. */
export const LEGACY_REDIS_VARIABLES: readonly string[] = [
  'REDIS_URL',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_PASSWORD',
  'REDIS_USERNAME',
  'REDIS_USER',
  'REDIS_AUTH_TOKEN',
];
/** Modules whose clients a service may build by hand, and the factories/classes that build them. */
const CLIENT_FACTORIES: Record<string, { calls: readonly string[]; classes: readonly string[] }> = {
  redis: { calls: ['createClient', 'createCluster', 'createSentinel'], classes: [] },
  '@redis/client': { calls: ['createClient', 'createCluster', 'createSentinel'], classes: [] },
  ioredis: { calls: [], classes: ['default', 'Redis', 'Cluster'] },
  iovalkey: { calls: [], classes: ['default', 'Redis', 'Cluster'] },
};
/** The library's helpers that turn the service's secret into a hand-built client's settings. */
const SECRET_CONFIG_HELPERS = new Set(['createRedisConnectionConfig', 'ioredisOptions']);

export interface SourceFinding {
  /** app-relative file */
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

export interface HandlerFacts {
  /** app-relative files read: the entry and the app files it imports, tests left out */
  readonly files: readonly string[];
  /** `createServiceCache(...)` calls (from the runtime library) */
  readonly serviceCaches: readonly SourceFinding[];
  /** Redis clients built by hand from anything but the secret (createClient, new Redis, ...) */
  readonly handBuiltClients: readonly SourceFinding[];
  /** `<cache>.checkHealth()` calls */
  readonly healthChecks: readonly SourceFinding[];
  /** reads of the old Redis variables (`process.env.REDIS_URL`, `const { REDIS_HOST } = process.env`) */
  readonly legacyVariableReads: ReadonlyArray<SourceFinding & { readonly variable: string }>;
  /** the dual read during a cutover (`legacyRead` option, `legacyReadFromEnv()`) */
  readonly legacyReads: readonly SourceFinding[];
}

interface Imported {
  readonly module: string;
  /** the exported name, `default`, or `*` for a namespace import */
  readonly name: string;
}

const isTestFile = (path: string) => /\.(spec|test)\.[cm]?[tj]sx?$/.test(path);
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => join(base, 'index' + e))];
  // `./x.js` in TypeScript source names `./x.ts`
  if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/\.([cm]?)js$/, '.$1ts'));
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The entry and every app file it reaches through relative imports (packages are not followed). */
export function handlerFiles(appDir: string, entry: string): string[] {
  const start = resolve(appDir, entry);
  if (!existsSync(start)) return [];
  const seen = new Set<string>();
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveRelative(file, fileName);
      if (target && !isTestFile(target) && target.startsWith(resolve(appDir))) queue.push(target);
    }
  }
  return [...seen].map((f) => relative(appDir, f));
}

const stringOf = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

/** `process.env` itself */
function isProcessEnv(node: ts.Node): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === 'env' &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'process'
  );
}

/** Reads every fact from one file. */
function analyseFile(appDir: string, file: string, facts: MutableFacts): void {
  const text = readFileSync(join(appDir, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports = new Map<string, Imported>();
  const at = (node: ts.Node): SourceFinding => ({
    file,
    line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
    text: (node.getText(source).split('\n')[0] ?? '').slice(0, 100),
  });

  // imports first, so a call can be traced to the module it came from
  const recordBinding = (module: string, name: ts.BindingName | ts.Identifier, imported: string) => {
    if (ts.isIdentifier(name)) imports.set(name.text, { module, name: imported });
    else if (ts.isObjectBindingPattern(name)) {
      for (const element of name.elements) {
        const exported = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : undefined;
        if (ts.isIdentifier(element.name)) imports.set(element.name.text, { module, name: exported ?? element.name.text });
      }
    }
  };
  const collectImports = (node: ts.Node): void => {
    // a module specifier is a string literal in valid TypeScript; anything else is not an import we can follow
    const specifier = ts.isImportDeclaration(node) ? stringOf(node.moduleSpecifier) : undefined;
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && specifier !== undefined) {
      const module = specifier;
      const clause = node.importClause;
      if (clause?.name) imports.set(clause.name.text, { module, name: 'default' });
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) imports.set(bindings.name.text, { module, name: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (!element.isTypeOnly) imports.set(element.name.text, { module, name: (element.propertyName ?? element.name).text });
        }
      }
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const module = stringOf(node.moduleReference.expression);
      if (module !== undefined) imports.set(node.name.text, { module, name: '*' });
    } else if (
      ts.isVariableDeclaration(node) &&
      node.initializer &&
      ts.isCallExpression(node.initializer) &&
      ts.isIdentifier(node.initializer.expression) &&
      node.initializer.expression.text === 'require'
    ) {
      const module = stringOf(node.initializer.arguments[0]);
      if (module) recordBinding(module, node.name, '*');
    }
    ts.forEachChild(node, collectImports);
  };
  collectImports(source);

  /** The module and export a callee comes from: `createClient`, `redis.createClient`, `Redis.Cluster`. */
  const origin = (callee: ts.Expression): Imported | undefined => {
    if (ts.isIdentifier(callee)) return imports.get(callee.text);
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
      const owner = imports.get(callee.expression.text);
      if (owner && (owner.name === '*' || owner.name === 'default')) return { module: owner.module, name: callee.name.text };
    }
    return undefined;
  };
  const fromCacheClient = (imported: Imported | undefined): imported is Imported =>
    imported !== undefined && (imported.module === CACHE_CLIENT_MODULE || imported.module.startsWith(`${CACHE_CLIENT_MODULE}/`));
  /** A hand-built client is fine when its settings come from the secret through the library's helper. */
  const usesSecretConfig = (node: ts.Node): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(n)) {
        const imported = origin(n.expression);
        if (fromCacheClient(imported) && SECRET_CONFIG_HELPERS.has(imported.name)) found = true;
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
  };
  const clientArgs = (args: ts.NodeArray<ts.Expression> | undefined) => (args ?? []).some((a) => usesSecretConfig(a));

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const imported = origin(node.expression);
      const factories = imported && CLIENT_FACTORIES[imported.module];
      if (imported && factories?.calls.includes(imported.name) && !clientArgs(node.arguments)) facts.handBuiltClients.push(at(node));
      if (fromCacheClient(imported) && imported.name === 'createServiceCache') {
        facts.serviceCaches.push(at(node));
        const options = node.arguments[0];
        if (options && ts.isObjectLiteralExpression(options)) {
          for (const property of options.properties) {
            if (property.name && ts.isIdentifier(property.name) && property.name.text === 'legacyRead')
              facts.legacyReads.push(at(property));
          }
        }
      }
      if (fromCacheClient(imported) && imported.name === 'legacyReadFromEnv') facts.legacyReads.push(at(node));
      if (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'checkHealth') facts.healthChecks.push(at(node));
    }
    if (ts.isNewExpression(node)) {
      const imported = origin(node.expression);
      const factories = imported && CLIENT_FACTORIES[imported.module];
      if (imported && factories?.classes.includes(imported.name) && !clientArgs(node.arguments)) facts.handBuiltClients.push(at(node));
    }
    // process.env.REDIS_URL, process.env['REDIS_URL']
    if (ts.isPropertyAccessExpression(node) && isProcessEnv(node.expression) && LEGACY_REDIS_VARIABLES.includes(node.name.text)) {
      facts.legacyVariableReads.push({ ...at(node), variable: node.name.text });
    }
    if (ts.isElementAccessExpression(node) && isProcessEnv(node.expression)) {
      const name = stringOf(node.argumentExpression);
      if (name && LEGACY_REDIS_VARIABLES.includes(name)) facts.legacyVariableReads.push({ ...at(node), variable: name });
    }
    // const { REDIS_URL } = process.env
    if (ts.isVariableDeclaration(node) && node.initializer && isProcessEnv(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        const name = (element.propertyName ?? element.name) as ts.Node;
        if (ts.isIdentifier(name) && LEGACY_REDIS_VARIABLES.includes(name.text)) {
          facts.legacyVariableReads.push({ ...at(element), variable: name.text });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

type MutableFacts = { -readonly [K in keyof HandlerFacts]: HandlerFacts[K] extends ReadonlyArray<infer T> ? T[] : never };

/** The facts of a handler entry and the app files it imports. */
export function analyseHandler(appDir: string, entry: string): HandlerFacts {
  const files = handlerFiles(appDir, entry);
  const facts: MutableFacts = {
    files,
    serviceCaches: [],
    handBuiltClients: [],
    healthChecks: [],
    legacyVariableReads: [],
    legacyReads: [],
  };
  for (const file of files) analyseFile(appDir, file, facts);
  return facts;
}
