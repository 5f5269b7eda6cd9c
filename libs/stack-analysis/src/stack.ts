import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { OWNERSHIP_TAG_KEYS } from '@cache-platform/cache-contract';

/**
 * Synthesized stacks as the rules see them: the parsed `cdk.tf.json`, never the constructs, so that
 * an escape hatch (`addOverride`) or a hand edit is checked like everything else.
 */

type Json = Record<string, unknown>;

/** One resource or data source of a stack. */
export interface TfResource {
  readonly stack: string;
  /** Terraform address: `aws_elasticache_user.cache-access_user_96CBC6B8`, `data.aws_iam_policy_document.x` */
  readonly address: string;
  readonly mode: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
  /** the construct path from cdktf's metadata (`catalog-api-dev/cache-access/user`), when there is one */
  readonly path: string | undefined;
  /** the resource's attributes, without cdktf's `//` metadata */
  readonly body: Json;
}

/** One synthesized stack. */
export interface TfStack {
  readonly name: string;
  /** the `cdk.tf.json` it was read from (for messages), or a label for stacks built in memory */
  readonly file: string;
  readonly json: Json;
  /** the environment, from the provider's ownership tags (or the stack name's last segment) */
  readonly environment: string;
  readonly resources: readonly TfResource[];
}

/** Why stacks could not be read: none where they were looked for, or a file that is not Terraform JSON. */
export class SynthesizedStackError extends Error {
  override readonly name = 'SynthesizedStackError';
  constructor(
    readonly kind: 'missing' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Builds the model of one stack from its parsed JSON. */
export function parseStack(name: string, json: unknown, file = `${name}/cdk.tf.json`): TfStack {
  if (!isObject(json)) throw new SynthesizedStackError('unreadable', `${file}: not a Terraform JSON object`);
  const resources: TfResource[] = [];
  for (const mode of ['resource', 'data'] as const) {
    const section = json[mode];
    if (!isObject(section)) continue;
    for (const [type, byName] of Object.entries(section)) {
      if (!isObject(byName)) continue;
      for (const [resourceName, raw] of Object.entries(byName)) {
        if (!isObject(raw)) continue;
        const { '//': meta, ...body } = raw;
        const metadata = isObject(meta) && isObject(meta['metadata']) ? meta['metadata'] : undefined;
        resources.push({
          stack: name,
          address: `${mode === 'data' ? 'data.' : ''}${type}.${resourceName}`,
          mode,
          type,
          name: resourceName,
          path: typeof metadata?.['path'] === 'string' ? metadata['path'] : undefined,
          body,
        });
      }
    }
  }
  const stack: TfStack = { name, file, json, environment: '', resources };
  const environment = providerDefaultTags(stack, undefined)[OWNERSHIP_TAG_KEYS.environment] ?? name.split('-').pop() ?? name;
  return { ...stack, environment };
}

/** Reads one stack folder (holding `cdk.tf.json`). */
export function readStackDir(dir: string): TfStack {
  const file = join(dir, 'cdk.tf.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SynthesizedStackError('unreadable', `cannot read synthesized stack ${file}: ${(error as Error).message}`);
  }
  return parseStack(basename(resolve(dir)), json, file);
}

/**
 * The stacks under `dir`: a stack folder (`cdk.tf.json` inside), a `cdktf.out` folder
 * (`stacks/<name>/cdk.tf.json`), or an app folder holding `cdktf.out`. Throws when there is none, so a
 * typo in a path never reads as a clean run.
 */
export function readStacks(dir: string): TfStack[] {
  const root = resolve(dir);
  if (!existsSync(root)) throw new SynthesizedStackError('missing', `no such folder: ${dir}`);
  if (existsSync(join(root, 'cdk.tf.json'))) return [readStackDir(root)];
  for (const stacksDir of [join(root, 'stacks'), join(root, 'cdktf.out', 'stacks')]) {
    if (existsSync(stacksDir) && statSync(stacksDir).isDirectory()) {
      const stacks = readdirSync(stacksDir)
        .sort()
        .map((entry) => join(stacksDir, entry))
        .filter((entry) => existsSync(join(entry, 'cdk.tf.json')))
        .map(readStackDir);
      if (stacks.length > 0) return stacks;
    }
  }
  throw new SynthesizedStackError(
    'missing',
    `no synthesized stack under ${dir}: expected <stack>/cdk.tf.json, cdktf.out/stacks/*/cdk.tf.json or stacks/*/cdk.tf.json`,
  );
}

/** Every resource (not data source) of the given types. */
export function resourcesOf(stack: TfStack, ...types: string[]): TfResource[] {
  return stack.resources.filter((r) => r.mode === 'resource' && types.includes(r.type));
}

export function dataOf(stack: TfStack, ...types: string[]): TfResource[] {
  return stack.resources.filter((r) => r.mode === 'data' && types.includes(r.type));
}

/** A block that Terraform JSON may write as an object or as a one-element list. */
export function block(value: unknown): Json | undefined {
  if (Array.isArray(value)) return isObject(value[0]) ? value[0] : undefined;
  return isObject(value) ? value : undefined;
}

/** Every element of a repeated block (object or list of objects). */
export function blocks(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

export function stringAttr(body: Json, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

// the provider configuration a resource uses: its `provider` meta-argument (`aws.<alias>`) or the default
function providerDefaultTags(stack: TfStack, resource: TfResource | undefined): Record<string, string> {
  const providers = stack.json['provider'];
  const aws = isObject(providers) ? blocks(providers['aws']) : [];
  const wanted = resource ? stringAttr(resource.body, 'provider') : undefined;
  const alias = wanted?.startsWith('aws.') ? wanted.slice(4) : undefined;
  const provider = aws.find((p) => (alias ? p['alias'] === alias : p['alias'] === undefined));
  const tags = block(provider?.['default_tags'])?.['tags'];
  return isObject(tags)
    ? (Object.fromEntries(Object.entries(tags).filter(([, v]) => typeof v === 'string')) as Record<string, string>)
    : {};
}

/** The default tags of the stack's default AWS provider. */
export function stackDefaultTags(stack: TfStack): Record<string, string> {
  return providerDefaultTags(stack, undefined);
}

/**
 * The tags AWS will put on a resource: the provider's `default_tags` overlaid with the resource's own
 * `tags` (the resource wins, and an empty value removes the tag, as the AWS provider does).
 */
export function effectiveTags(stack: TfStack, resource: TfResource): Record<string, string> {
  const own = resource.body['tags'];
  const merged: Record<string, string> = { ...providerDefaultTags(stack, resource) };
  if (isObject(own)) {
    for (const [key, value] of Object.entries(own)) {
      if (typeof value === 'string') merged[key] = value;
    }
  }
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v.trim() !== ''));
}

/** True when `expression` refers to the resource (`${aws_x.name.attr}` or `aws_x.name.attr` inside one). */
export function refersTo(expression: unknown, resource: TfResource): boolean {
  if (typeof expression !== 'string') return false;
  const escaped = resource.address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}([.\\[]|$|[^A-Za-z0-9_-])`).test(expression);
}
