import { Token } from 'cdktf';
import { ContractViolation, throwViolations } from '@cache-platform/cache-contract';
import { assertSecurityGroupId } from './validation';

/*
 * How the cache clients (service Lambdas and the platform's rotation function, which carry only the
 * clients security group) reach the two AWS APIs they call from inside the VPC:
 * - Secrets Manager: every service reads its secret; the rotation function reads and writes secrets;
 * - the ElastiCache API: the rotation function calls DescribeUsers and ModifyUser.
 *
 * AWS facts the choice rests on (docs: "ElastiCache API and interface VPC endpoints", CreateVpcEndpoint's
 * PrivateDnsEnabled):
 * - private DNS can be on for only one interface endpoint of a service per VPC: a second one fails with
 *   "private-dns-enabled cannot be set because there is already a conflicting DNS domain";
 * - private DNS needs the VPC's enableDnsSupport and enableDnsHostnames on;
 * - with private DNS on, the service's default hostname resolves to the endpoint for everything in the
 *   VPC, so a caller the endpoint's security group does not admit times out instead of using its NAT.
 */

/** The interface endpoints the platform can create, by setting name. */
export const INTERFACE_ENDPOINTS = {
  secretsManagerEndpoint: 'secretsmanager',
  elasticacheEndpoint: 'elasticache',
} as const;
export type InterfaceEndpointField = keyof typeof INTERFACE_ENDPOINTS;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINTS)[InterfaceEndpointField];

export const INTERFACE_ENDPOINT_MODES = ['create', 'existing', 'none'] as const;
export type InterfaceEndpointMode = (typeof INTERFACE_ENDPOINT_MODES)[number];

/** Callers beyond the cache clients that an endpoint the platform creates admits on HTTPS. */
export interface EndpointCallers {
  /**
   * Security groups of other workloads in the VPC (a CI runner, a bastion), `sg-...`.
   * @default none
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * IPv4 CIDRs of other callers, network addresses (`10.0.64.0/20`).
   * @default none
   */
  readonly cidrs?: readonly string[];
}

/**
 * The platform creates the endpoint with private DNS on. Private DNS answers for the whole VPC: every
 * other workload there that calls this API must be admitted here (`allowedCallers`), or it times out.
 */
export interface CreateInterfaceEndpoint {
  readonly mode: 'create';
  /**
   * Admitted on 443 besides the cache clients, through a security group of their own on this endpoint.
   * @default the cache clients only
   */
  readonly allowedCallers?: EndpointCallers;
}

/**
 * The VPC already has an endpoint of this service with private DNS on: the platform creates none and
 * gives the cache clients HTTPS egress to `securityGroupId`. The plan checks that the endpoint exists
 * in the VPC, is available, has private DNS on and carries that group; that the group admits the clients
 * security group on 443 (and that its endpoint policy allows the calls) is the operator's to check.
 */
export interface ExistingInterfaceEndpoint {
  readonly mode: 'existing';
  /** a security group attached to the existing endpoint, which admits the cache clients on 443 */
  readonly securityGroupId: string;
  /**
   * The endpoint's id (`vpce-...`), needed only when the VPC has more than one endpoint of the service.
   * @default the one available endpoint of the service in the VPC
   */
  readonly endpointId?: string;
}

/** No endpoint: the clients reach the API some other way (a NAT gateway, a proxy) at these CIDRs. */
export interface NoInterfaceEndpoint {
  readonly mode: 'none';
  /**
   * IPv4 CIDRs the cache clients may reach on 443 for this API: `0.0.0.0/0` behind a NAT gateway (AWS
   * publishes no fixed address list for these APIs), a proxy's address otherwise. Required: the rotation
   * function carries only the clients security group, which has no other egress.
   */
  readonly httpsEgressCidrs: readonly string[];
}

export type InterfaceEndpointSettings = CreateInterfaceEndpoint | ExistingInterfaceEndpoint | NoInterfaceEndpoint;

/** What every environment gets unless it says otherwise: the platform's own endpoint. */
export const DEFAULT_INTERFACE_ENDPOINT: CreateInterfaceEndpoint = { mode: 'create' };

const KEYS: Record<InterfaceEndpointMode, readonly string[]> = {
  create: ['mode', 'allowedCallers'],
  existing: ['mode', 'securityGroupId', 'endpointId'],
  none: ['mode', 'httpsEgressCidrs'],
};
const VPC_ENDPOINT_ID = /^vpce-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Why `cidr` is not an IPv4 network address in CIDR form, or undefined. */
function cidrProblem(cidr: unknown): string | undefined {
  const rule = 'must be an IPv4 CIDR such as "10.0.0.0/16"';
  if (typeof cidr !== 'string') return rule;
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return rule;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return rule;
  const address = octets.reduce((sum, o) => sum * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) return `${rule}, with its host bits zero (AWS refuses "10.0.0.1/16")`;
  return undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a list of literal values (their rule addresses derive from them) one by one; returns the
 * violations found.
 */
function checkList(subject: string, value: unknown, each: (item: string) => string | undefined): ContractViolation[] {
  if (!Array.isArray(value)) return [new ContractViolation(subject, value, 'must be a list')];
  const problems: ContractViolation[] = [];
  const seen = new Set<string>();
  for (const item of value) {
    if (typeof item === 'string' && Token.isUnresolved(item)) {
      problems.push(new ContractViolation(subject, item, 'must be known at synth time: the security group rule it gets is named after it'));
      continue;
    }
    const problem = each(item);
    if (problem) problems.push(new ContractViolation(subject, item, problem));
    else if (seen.has(item)) problems.push(new ContractViolation(subject, item, 'is listed more than once'));
    seen.add(item);
  }
  return problems;
}

const securityGroupProblem = (id: string): string | undefined => {
  try {
    assertSecurityGroupId(id);
    return undefined;
  } catch (error) {
    if (error instanceof ContractViolation) return error.rule;
    throw error;
  }
};

/** The violations of one endpoint setting (empty when it is valid). */
function endpointProblems(field: InterfaceEndpointField, value: unknown): ContractViolation[] {
  const service = INTERFACE_ENDPOINTS[field];
  const modes = `"create" (the platform creates the endpoint), "existing" (the VPC has one with private DNS) or "none" (a NAT or other route)`;
  if (!isPlainObject(value)) {
    return [new ContractViolation(field, value, `must be { mode: ... } with mode ${modes}`)];
  }
  const mode = value['mode'];
  if (typeof mode !== 'string' || !(INTERFACE_ENDPOINT_MODES as readonly string[]).includes(mode)) {
    return [new ContractViolation(`${field}.mode`, mode, `must be ${modes}`)];
  }
  const allowed = KEYS[mode as InterfaceEndpointMode];
  const problems = Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map(
      (key) =>
        new ContractViolation(
          `${field}.${key}`,
          value[key],
          `is not a setting of mode "${mode}" (it takes ${allowed.filter((k) => k !== 'mode').join(', ') || 'nothing else'})`,
        ),
    );

  if (mode === 'create' && value['allowedCallers'] !== undefined) {
    const callers = value['allowedCallers'];
    if (!isPlainObject(callers)) {
      problems.push(new ContractViolation(`${field}.allowedCallers`, callers, 'must be { securityGroupIds?: [...], cidrs?: [...] }'));
    } else {
      for (const key of Object.keys(callers).filter((k) => k !== 'securityGroupIds' && k !== 'cidrs')) {
        problems.push(new ContractViolation(`${field}.allowedCallers.${key}`, callers[key], 'is not a setting (securityGroupIds, cidrs)'));
      }
      if (callers['securityGroupIds'] !== undefined) {
        problems.push(...checkList(`${field}.allowedCallers.securityGroupIds`, callers['securityGroupIds'], securityGroupProblem));
      }
      if (callers['cidrs'] !== undefined) problems.push(...checkList(`${field}.allowedCallers.cidrs`, callers['cidrs'], cidrProblem));
    }
  }

  if (mode === 'existing') {
    const group = value['securityGroupId'];
    if (group === undefined || group === '') {
      problems.push(
        new ContractViolation(
          `${field}.securityGroupId`,
          group,
          `mode "existing" needs a security group attached to the VPC's ${service} endpoint: the cache clients get HTTPS egress to it, and it must admit them`,
        ),
      );
    } else {
      problems.push(...checkList(`${field}.securityGroupId`, [group], securityGroupProblem));
    }
    const endpointId = value['endpointId'];
    if (endpointId !== undefined && (typeof endpointId !== 'string' || !VPC_ENDPOINT_ID.test(endpointId))) {
      problems.push(
        new ContractViolation(`${field}.endpointId`, endpointId, 'must be "vpce-" followed by 8 or 17 lower-case hexadecimal digits'),
      );
    }
  }

  if (mode === 'none') {
    const cidrs = value['httpsEgressCidrs'];
    if (cidrs === undefined || (Array.isArray(cidrs) && cidrs.length === 0)) {
      problems.push(
        new ContractViolation(
          `${field}.httpsEgressCidrs`,
          cidrs,
          `mode "none" needs the IPv4 CIDRs through which the cache clients reach ${service} on 443 (["0.0.0.0/0"] behind a NAT gateway): the rotation function carries only the clients security group, which has no other egress`,
        ),
      );
    } else {
      problems.push(...checkList(`${field}.httpsEgressCidrs`, cidrs, cidrProblem));
    }
  }
  return problems;
}

/** One environment's endpoint settings, defaults filled in. */
export type InterfaceEndpointChoice = Record<InterfaceEndpointField, InterfaceEndpointSettings>;

/**
 * Validates both endpoint settings of an environment (defaults: `create`), reporting every problem at
 * once, each naming the environment, the field, the value and the rule.
 */
export function assertInterfaceEndpoints(
  environment: string,
  settings: Partial<Record<InterfaceEndpointField, unknown>>,
): InterfaceEndpointChoice {
  const fields = Object.keys(INTERFACE_ENDPOINTS) as InterfaceEndpointField[];
  const problems = fields.flatMap((field) => endpointProblems(field, settings[field] ?? DEFAULT_INTERFACE_ENDPOINT));
  throwViolations(problems, `environment ${environment}`);
  return Object.fromEntries(fields.map((field) => [field, settings[field] ?? DEFAULT_INTERFACE_ENDPOINT])) as InterfaceEndpointChoice;
}
