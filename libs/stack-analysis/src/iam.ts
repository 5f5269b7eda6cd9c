import { readJsonAttribute, type HclValue } from './hcl-literal';
import { blocks, dataOf, refersTo, resourcesOf, stringAttr, type TfResource, type TfStack } from './stack';

/**
 * IAM policy documents of a synthesized stack, read into one statement model whatever way they were
 * written: literal JSON, `${jsonencode({...})}`, an `aws_iam_policy_document` data source, or a
 * reference to one. A policy that cannot be read now is reported as unreadable, never skipped: a
 * policy the rules cannot see is a policy they cannot vouch for.
 */

export interface Principal {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`; `*` for the bare `"Principal": "*"` */
  readonly type: string;
  readonly identifiers: readonly string[];
}

export interface Condition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly principals: readonly Principal[];
  readonly notPrincipals: readonly Principal[];
  readonly conditions: readonly Condition[];
}

/** The policies a resource carries (one resource may hold several: a role's inline policies). */
export interface PolicyOf {
  readonly resource: TfResource;
  /** the attribute it was read from, for messages (`policy`, `inline_policy[0].policy`, `statement`) */
  readonly attribute: string;
  readonly statements: readonly Statement[];
  /** why (part of) it could not be read; the statements then hold only what could */
  readonly unreadable?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
// a list attribute that is an expression, not a list: unreadable
const computedList = (value: unknown): boolean => typeof value === 'string' && value.includes('${') && !/^[^$]*$/.test(value);

function principalsOfJson(value: unknown): Principal[] {
  if (value === undefined) return [];
  if (value === '*') return [{ type: '*', identifiers: ['*'] }];
  if (!isObject(value)) return [{ type: '?', identifiers: strings(value) }];
  return Object.entries(value).map(([type, ids]) => ({ type, identifiers: strings(ids) }));
}

function conditionsOfJson(value: unknown): Condition[] {
  if (!isObject(value)) return [];
  const out: Condition[] = [];
  for (const [test, byKey] of Object.entries(value)) {
    if (!isObject(byKey)) continue;
    for (const [variable, values] of Object.entries(byKey)) out.push({ test, variable, values: strings(values) });
  }
  return out;
}

/** Statements of an IAM policy JSON document (already parsed). */
export function statementsOfJsonDocument(doc: unknown): { statements: Statement[]; unreadable?: string } {
  if (!isObject(doc)) return { statements: [], unreadable: 'the policy is not a JSON object' };
  const raw = doc['Statement'];
  if (typeof raw === 'string') return { statements: [], unreadable: `Statement is computed (${raw})` };
  const statements: Statement[] = [];
  const problems: string[] = [];
  for (const s of blocks(raw)) {
    for (const key of ['Action', 'NotAction', 'Resource', 'NotResource', 'Effect']) {
      const v = s[key];
      if (typeof v === 'string' && key !== 'Resource' && key !== 'NotResource' && v.includes('${'))
        problems.push(`${key} is computed (${v})`);
      if (Array.isArray(v) && v.some((x) => typeof x !== 'string')) problems.push(`${key} holds a non-string value`);
    }
    if (typeof s['Principal'] === 'string' && s['Principal'] !== '*') problems.push(`Principal is computed (${s['Principal']})`);
    statements.push({
      sid: typeof s['Sid'] === 'string' ? s['Sid'] : undefined,
      effect: typeof s['Effect'] === 'string' ? s['Effect'] : 'Allow',
      actions: strings(s['Action']),
      notActions: strings(s['NotAction']),
      resources: strings(s['Resource']),
      notResources: strings(s['NotResource']),
      principals: principalsOfJson(s['Principal']),
      notPrincipals: principalsOfJson(s['NotPrincipal']),
      conditions: conditionsOfJson(s['Condition']),
    });
  }
  return problems.length > 0 ? { statements, unreadable: problems.join('; ') } : { statements };
}

function principalsOfBlocks(value: unknown): Principal[] {
  return blocks(value).map((p) => ({ type: typeof p['type'] === 'string' ? p['type'] : '?', identifiers: strings(p['identifiers']) }));
}

/** Statements of an `aws_iam_policy_document` data source, with the documents it merges in. */
export function statementsOfDocument(document: TfResource): { statements: Statement[]; unreadable?: string } {
  const problems: string[] = [];
  const raw = document.body['statement'];
  if (typeof raw === 'string') problems.push(`statement is computed (${raw})`);
  const statements: Statement[] = [];
  for (const s of blocks(raw)) {
    for (const key of ['actions', 'not_actions', 'resources', 'not_resources', 'principals', 'not_principals', 'condition', 'effect']) {
      if (computedList(s[key]) && !['effect'].includes(key)) problems.push(`${key} is computed (${String(s[key])})`);
      if (key === 'effect' && typeof s[key] === 'string' && (s[key] as string).includes('${')) problems.push(`effect is computed`);
    }
    if (typeof s['dynamic'] !== 'undefined') problems.push('a dynamic block');
    statements.push({
      sid: typeof s['sid'] === 'string' ? s['sid'] : undefined,
      effect: typeof s['effect'] === 'string' ? s['effect'] : 'Allow',
      actions: strings(s['actions']),
      notActions: strings(s['not_actions']),
      resources: strings(s['resources']),
      notResources: strings(s['not_resources']),
      principals: principalsOfBlocks(s['principals']),
      notPrincipals: principalsOfBlocks(s['not_principals']),
      conditions: blocks(s['condition']).map((c) => ({
        test: typeof c['test'] === 'string' ? c['test'] : '?',
        variable: typeof c['variable'] === 'string' ? c['variable'] : '?',
        values: strings(c['values']),
      })),
    });
  }
  if (typeof document.body['dynamic'] !== 'undefined') problems.push('a dynamic block');
  // merged documents: literal JSON is read here; a reference to another document of the stack is read as that document
  for (const key of MERGE_KEYS) {
    const value = document.body[key];
    if (value === undefined) continue;
    const list = typeof value === 'string' && !key.endsWith('_json') ? [value] : strings(value);
    for (const item of list) {
      if (DOCUMENT_REFERENCE.test(item.trim())) continue;
      const read = readPolicyText(item);
      if ('unreadable' in read && read.statements.length === 0 && read.unreadable) problems.push(`${key}: ${read.unreadable}`);
      else {
        statements.push(...read.statements);
        if (read.unreadable) problems.push(`${key}: ${read.unreadable}`);
      }
    }
  }
  return problems.length > 0 ? { statements, unreadable: problems.join('; ') } : { statements };
}

// `${data.aws_iam_policy_document.<name>.json}` (or minified_json): that document is read on its own
const DOCUMENT_REFERENCE = /^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.(?:json|minified_json)\}$/;
const MERGE_KEYS = ['source_policy_documents', 'override_policy_documents', 'source_json', 'override_json'];

/** The documents of the stack a document merges in by reference, with the attribute that names each. */
function mergedDocumentNames(document: TfResource): Array<{ key: string; name: string; text: string }> {
  return MERGE_KEYS.flatMap((key) =>
    strings(document.body[key]).flatMap((item) => {
      const m = DOCUMENT_REFERENCE.exec(item.trim());
      return m ? [{ key, name: m[1] as string, text: item.trim() }] : [];
    }),
  );
}

// `${aws_iam_policy.<name>.policy}`: the managed policy of the stack, read on its own
const POLICY_REFERENCE = /^\$\{aws_iam_policy\.([A-Za-z0-9_-]+)\.policy\}$/;

/** Reads one policy attribute (text): literal JSON or `${jsonencode(...)}`. */
export function readPolicyText(text: string): { statements: Statement[]; unreadable?: string } {
  let doc: HclValue | undefined;
  try {
    doc = readJsonAttribute(text);
  } catch (error) {
    return { statements: [], unreadable: `it does not parse (${(error as Error).message})` };
  }
  if (doc === undefined) return { statements: [], unreadable: `it is computed at apply time (${truncate(text)})` };
  return statementsOfJsonDocument(doc);
}

const truncate = (text: string) => (text.length > 120 ? `${text.slice(0, 117)}...` : text);

/** Identity policy resources: their `policy` attribute holds the document. */
export const IDENTITY_POLICY_TYPES = ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];

function readPolicyAttribute(stack: TfStack, resource: TfResource, attribute: string, value: unknown): PolicyOf | undefined {
  if (typeof value !== 'string') {
    return { resource, attribute, statements: [], unreadable: `${attribute} is ${value === undefined ? 'missing' : 'not a string'}` };
  }
  const trimmed = value.trim();
  const doc = DOCUMENT_REFERENCE.exec(trimmed);
  if (doc) {
    // the document is read (and reported) as itself; a reference to one the stack lacks is unreadable
    if (dataOf(stack, 'aws_iam_policy_document').some((d) => d.name === doc[1])) return undefined;
    return {
      resource,
      attribute,
      statements: [],
      unreadable: `${attribute} refers to a policy document the stack does not define (${trimmed})`,
    };
  }
  const policy = POLICY_REFERENCE.exec(trimmed);
  if (policy && resourcesOf(stack, 'aws_iam_policy').some((p) => p.name === policy[1])) return undefined;
  const read = readPolicyText(value);
  return {
    resource,
    attribute,
    statements: read.statements,
    ...(read.unreadable ? { unreadable: `${attribute}: ${read.unreadable}` } : {}),
  };
}

// CP005 and CP017 both read every identity policy of a stack: read them once per stack
const identityCache = new WeakMap<TfStack, PolicyOf[]>();

/** Every identity policy of the stack: documents, policy resources, roles' inline policies. */
export function identityPolicies(stack: TfStack): PolicyOf[] {
  const cached = identityCache.get(stack);
  if (cached) return cached;
  const found = readIdentityPolicies(stack);
  identityCache.set(stack, found);
  return found;
}

function readIdentityPolicies(stack: TfStack): PolicyOf[] {
  const found: PolicyOf[] = [];
  // documents an identity policy uses are identity policies whatever they hold; the others, when they
  // name principals, are resource or trust policies (a secret's policy names the secret as "*")
  const usedByIdentity = new Set<string>();
  for (const holder of resourcesOf(stack, ...IDENTITY_POLICY_TYPES, 'aws_iam_role')) {
    const texts = [holder.body['policy'], ...blocks(holder.body['inline_policy']).map((b) => b['policy'])];
    for (const text of texts) {
      const m = typeof text === 'string' ? DOCUMENT_REFERENCE.exec(text.trim()) : null;
      if (m) usedByIdentity.add(m[1] as string);
    }
  }
  // and the documents those merge in (source_policy_documents / override_policy_documents), transitively
  const documents = dataOf(stack, 'aws_iam_policy_document');
  for (let grew = true; grew;) {
    grew = false;
    for (const document of documents) {
      if (!usedByIdentity.has(document.name)) continue;
      for (const { name } of mergedDocumentNames(document)) {
        if (!usedByIdentity.has(name)) {
          usedByIdentity.add(name);
          grew = true;
        }
      }
    }
  }
  for (const document of documents) {
    const statements = blocks(document.body['statement']);
    if (!usedByIdentity.has(document.name) && statements.some((s) => s['principals'] !== undefined || s['not_principals'] !== undefined))
      continue;
    const read = statementsOfDocument(document);
    found.push({
      resource: document,
      attribute: 'statement',
      statements: read.statements,
      ...(read.unreadable ? { unreadable: read.unreadable } : {}),
    });
  }
  for (const policy of resourcesOf(stack, ...IDENTITY_POLICY_TYPES)) {
    const read = readPolicyAttribute(stack, policy, 'policy', policy.body['policy']);
    if (read) found.push(read);
  }
  for (const role of resourcesOf(stack, 'aws_iam_role')) {
    found.push(...inlinePolicies(role, (attribute, value) => readPolicyAttribute(stack, role, attribute, value)));
  }
  return found;
}

/** A role's inline policies, each read by `read`; an `inline_policy` that is an expression is unreadable. */
function inlinePolicies(role: TfResource, read: (attribute: string, value: unknown) => PolicyOf | undefined): PolicyOf[] {
  const inline = role.body['inline_policy'];
  const found: PolicyOf[] = [];
  if (typeof inline === 'string')
    found.push({
      resource: role,
      attribute: 'inline_policy',
      statements: [],
      unreadable: `inline_policy is computed (${truncate(inline)})`,
    });
  blocks(inline).forEach((block, i) => {
    if (block['policy'] === undefined) return; // an empty inline_policy block removes inline policies
    const policy = read(`inline_policy[${i}].policy`, block['policy']);
    if (policy) found.push(policy);
  });
  return found;
}

/** The policy of a resource-based policy attribute (secret policy, topic policy, trust policy). */
export function resourcePolicy(stack: TfStack, resource: TfResource, attribute: string): PolicyOf | undefined {
  const value = resource.body[attribute];
  if (value === undefined) return undefined;
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const doc = DOCUMENT_REFERENCE.exec(trimmed);
  if (doc) {
    const document = dataOf(stack, 'aws_iam_policy_document').find((d) => d.name === doc[1]);
    if (!document)
      return {
        resource,
        attribute,
        statements: [],
        unreadable: `${attribute} refers to a policy document the stack does not define (${trimmed})`,
      };
    const read = statementsOfDocument(document);
    return {
      resource,
      attribute,
      statements: read.statements,
      ...(read.unreadable ? { unreadable: `${attribute}: ${read.unreadable}` } : {}),
    };
  }
  return readPolicyAttribute(stack, resource, attribute, value);
}

export { stringAttr };

// ---------------------------------------------------------------------------------------------
// actions and resources

/** True when an action pattern (`secretsmanager:Get*`, `*`, `secrets*:*`) can match an action of `service`. */
export function actionCoversService(action: string, service: string): boolean {
  const lower = action.toLowerCase();
  if (lower === '*') return true;
  const colon = lower.indexOf(':');
  const servicePart = colon === -1 ? lower : lower.slice(0, colon);
  return globMatch(servicePart, service);
}

/** IAM's glob: `*` any run of characters, `?` one character. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(text);
}

// a plain reference: `${aws_x.name.attr}`, `${data.aws_x.name.attr}`, with an optional index
const REFERENCE = /\$\{(?:data\.)?[A-Za-z0-9_]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_]+(?:\[[0-9]+\])?\}/g;
export const WHOLE_REFERENCE = /^\$\{((?:data\.)?[A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)(?:\[[0-9]+\])?\}$/;

/**
 * A resource or ARN with its plain references replaced by a placeholder that matches nothing wider
 * than itself; `undefined` when it holds any other expression (a function call, a literal `${"*"}`),
 * whose value nobody can tell before apply.
 */
export function withoutReferences(value: string): string | undefined {
  const replaced = value.replace(REFERENCE, 'REF');
  return replaced.includes('${') ? undefined : replaced;
}

/** The resource a whole-string reference points at, when it is one the stack defines. */
export function referencedResource(stack: TfStack, value: string): TfResource | undefined {
  const m = WHOLE_REFERENCE.exec(value.trim());
  if (!m) return undefined;
  const [, typeWithMode, name] = m as unknown as [string, string, string];
  const isData = typeWithMode.startsWith('data.');
  const type = isData ? typeWithMode.slice(5) : typeWithMode;
  return stack.resources.find((r) => r.mode === (isData ? 'data' : 'resource') && r.type === type && r.name === name);
}

/** `*`, or an ARN whose resource part is a bare wildcard (`...:secret:*`, `...:parameter/*`). */
export function isWildcardResource(resource: string): boolean {
  return resource === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(?:[A-Za-z-]+[:/])?\*$/.test(resource);
}

/** The parts of an ARN: service and the resource part after the account. */
export function arnParts(arn: string): { service: string; region: string; account: string; resource: string } | undefined {
  const m = /^arn:[^:]*:([^:]*):([^:]*):([^:]*):(.*)$/.exec(arn);
  return m ? { service: m[1] as string, region: m[2] as string, account: m[3] as string, resource: m[4] as string } : undefined;
}

export const hasWildcard = (text: string): boolean => /[*?]/.test(text);

// ---------------------------------------------------------------------------------------------
// what one role may do

export interface RolePolicies {
  /** every policy of the stack that applies to the role, read (unreadable ones say why) */
  readonly policies: readonly PolicyOf[];
  /**
   * ARNs of policies the stack does not define (AWS managed ones, another account's), with the
   * attachment (or the role, for `managed_policy_arns`): what they grant is not in the JSON
   */
  readonly attachedArns: ReadonlyArray<{ readonly resource: TfResource; readonly arn: string }>;
}

// a document's statements with the documents of the stack it merges in, followed (once each)
function documentWithMerged(
  stack: TfStack,
  document: TfResource,
  seen = new Set<string>(),
): { statements: Statement[]; unreadable?: string } {
  seen.add(document.name);
  const own = statementsOfDocument(document);
  const statements = [...own.statements];
  const problems = own.unreadable ? [own.unreadable] : [];
  for (const { key, name, text } of mergedDocumentNames(document)) {
    if (seen.has(name)) continue;
    const merged = dataOf(stack, 'aws_iam_policy_document').find((d) => d.name === name);
    if (!merged) {
      problems.push(`${key} refers to a policy document the stack does not define (${text})`);
      continue;
    }
    const read = documentWithMerged(stack, merged, seen);
    statements.push(...read.statements);
    if (read.unreadable) problems.push(read.unreadable);
  }
  return problems.length > 0 ? { statements, unreadable: problems.join('; ') } : { statements };
}

// a policy attribute read whole: a reference to a document or a managed policy of the stack is followed
function policyValue(stack: TfStack, resource: TfResource, attribute: string, value: unknown): PolicyOf {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const doc = DOCUMENT_REFERENCE.exec(trimmed);
  const document = doc ? dataOf(stack, 'aws_iam_policy_document').find((d) => d.name === doc[1]) : undefined;
  if (document) {
    const read = documentWithMerged(stack, document);
    return {
      resource,
      attribute,
      statements: read.statements,
      ...(read.unreadable ? { unreadable: `${attribute}: ${read.unreadable}` } : {}),
    };
  }
  const policy = POLICY_REFERENCE.exec(trimmed);
  const managed = policy ? resourcesOf(stack, 'aws_iam_policy').find((p) => p.name === policy[1]) : undefined;
  if (managed) return policyValue(stack, managed, 'policy', managed.body['policy']);
  return (
    readPolicyAttribute(stack, resource, attribute, value) ?? {
      resource,
      attribute,
      statements: [],
      unreadable: `${attribute} is not a policy the stack defines (${truncate(String(value))})`,
    }
  );
}

/**
 * Every policy that applies to a role of the stack: its inline policies, `aws_iam_role_policy`,
 * policies attached by `aws_iam_role_policy_attachment`, `aws_iam_policy_attachment` and
 * `managed_policy_arns`. A policy of the stack is read (references followed); an ARN from outside the
 * stack is listed in `attachedArns`; a reference to anything else is unreadable.
 */
export function rolePolicies(stack: TfStack, role: TfResource): RolePolicies {
  const policies: PolicyOf[] = [];
  const attachedArns: Array<RolePolicies['attachedArns'][number]> = [];
  const attach = (resource: TfResource, attribute: string, arn: string) => {
    // an ARN written out (its partition may be `${data.aws_partition.x.partition}`) names a policy outside the stack
    if (!arn.includes('${') || (arn.startsWith('arn:') && /:policy\/[\w+=,.@/-]+$/.test(arn))) {
      attachedArns.push({ resource, arn });
      return;
    }
    const target = referencedResource(stack, arn);
    if (target?.type === 'aws_iam_policy' && target.mode === 'resource' && WHOLE_REFERENCE.exec(arn.trim())?.[3] === 'arn') {
      policies.push(policyValue(stack, target, 'policy', target.body['policy']));
    } else {
      policies.push({
        resource,
        attribute,
        statements: [],
        unreadable: `${attribute} is not a policy the stack defines (${truncate(arn)})`,
      });
    }
  };
  for (const policy of resourcesOf(stack, 'aws_iam_role_policy')) {
    if (refersTo(policy.body['role'], role)) policies.push(policyValue(stack, policy, 'policy', policy.body['policy']));
  }
  for (const attachment of resourcesOf(stack, 'aws_iam_role_policy_attachment')) {
    if (refersTo(attachment.body['role'], role)) attach(attachment, 'policy_arn', String(attachment.body['policy_arn'] ?? ''));
  }
  for (const attachment of resourcesOf(stack, 'aws_iam_policy_attachment')) {
    if (strings(attachment.body['roles']).some((r) => refersTo(r, role)))
      attach(attachment, 'policy_arn', String(attachment.body['policy_arn'] ?? ''));
  }
  policies.push(...inlinePolicies(role, (attribute, value) => policyValue(stack, role, attribute, value)));
  for (const arn of strings(role.body['managed_policy_arns'])) attach(role, 'managed_policy_arns', arn);
  return { policies, attachedArns };
}

/** True when an Allow statement lets its principal call `action` (`NotAction` counted). */
export function statementAllows(statement: Statement, action: string): boolean {
  if (statement.effect !== 'Allow') return false;
  if (statement.notActions.length > 0) return !statement.notActions.some((pattern) => globMatch(pattern, action));
  return statement.actions.some((pattern) => globMatch(pattern, action));
}
