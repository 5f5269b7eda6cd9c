import { TerraformStack, Testing } from 'cdktf';
import { platformResourceNames } from '@cache-platform/cache-contract';
import { assertInterfaceEndpoints, CacheNetwork, type CacheNetworkProps } from './index';

const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
const VPC = 'vpc-0123456789abcdef0';
const names = platformResourceNames('dev');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function synthNetwork(props: Partial<CacheNetworkProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new CacheNetwork(stack, 'network', { environment: 'dev', vpcId: VPC, subnetIds: SUBNETS, ...props });
  return JSON.parse(Testing.synth(stack));
}

const all = (json: Json, kind: 'resource' | 'data', type: string): Json[] => Object.values(json[kind]?.[type] ?? {});
const resources = (json: Json, type: string) => all(json, 'resource', type);

/** `${aws_security_group.<logical id>.id}` of the group with that name, or undefined. */
function sgRef(json: Json, name: string): string | undefined {
  const entry = Object.entries<Json>(json.resource.aws_security_group).find(([, sg]) => sg.name === name);
  return entry && '${aws_security_group.' + entry[0] + '.id}';
}

/** service name -> the endpoint resource */
const endpoints = (json: Json) =>
  Object.fromEntries(resources(json, 'aws_vpc_endpoint').map((e) => [String(e.service_name).split('.').pop(), e]));

/** the clients group's 443 egress as [destination] pairs, sorted */
function clientHttpsEgress(json: Json): string[] {
  const clientSg = sgRef(json, names.clientSecurityGroupName);
  return resources(json, 'aws_vpc_security_group_egress_rule')
    .filter((r) => r.security_group_id === clientSg && r.from_port === 443)
    .map((r) => {
      expect(r).toMatchObject({ ip_protocol: 'tcp', to_port: 443 });
      return r.cidr_ipv4 ?? r.referenced_security_group_id;
    })
    .sort();
}

describe('interface endpoints: create (the default)', () => {
  it('creates both endpoints with private DNS behind one endpoint group admitting only the clients', () => {
    const json = synthNetwork();
    const endpointSg = sgRef(json, names.endpointSecurityGroupName)!;
    const byService = endpoints(json);
    expect(Object.keys(byService).sort()).toEqual(['elasticache', 'secretsmanager']);
    for (const endpoint of Object.values(byService)) {
      expect(endpoint).toMatchObject({ private_dns_enabled: true, vpc_endpoint_type: 'Interface', security_group_ids: [endpointSg] });
    }
    expect(clientHttpsEgress(json)).toEqual([endpointSg]);
    expect(all(json, 'data', 'aws_vpc_endpoint')).toEqual([]);
    // no callers group unless asked for
    expect(sgRef(json, names.secretsManagerCallersSecurityGroupName)).toBeUndefined();
    expect(sgRef(json, names.elasticacheCallersSecurityGroupName)).toBeUndefined();
  });

  it('admits extra callers to one endpoint through a group of their own on that endpoint only', () => {
    const json = synthNetwork({
      secretsManagerEndpoint: {
        mode: 'create',
        allowedCallers: { securityGroupIds: ['sg-0123456789abcdef9'], cidrs: ['10.20.0.0/16', '192.168.1.7/32'] },
      },
    });
    const endpointSg = sgRef(json, names.endpointSecurityGroupName)!;
    const callersSg = sgRef(json, names.secretsManagerCallersSecurityGroupName)!;
    expect(callersSg).toBeDefined();
    const byService = endpoints(json);
    expect(byService['secretsmanager']!.security_group_ids).toEqual([endpointSg, callersSg]);
    // the ElastiCache API endpoint admits no one new
    expect(byService['elasticache']!.security_group_ids).toEqual([endpointSg]);
    const intoCallers = resources(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.security_group_id === callersSg);
    expect(intoCallers.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.referenced_security_group_id ?? r.cidr_ipv4]).sort()).toEqual([
      ['tcp', 443, 443, '10.20.0.0/16'],
      ['tcp', 443, 443, '192.168.1.7/32'],
      ['tcp', 443, 443, 'sg-0123456789abcdef9'],
    ]);
    // the clients' own admission is unchanged: still one rule from the clients group
    const intoEndpoint = resources(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.security_group_id === endpointSg);
    expect(intoEndpoint.map((r) => r.referenced_security_group_id)).toEqual([sgRef(json, names.clientSecurityGroupName)]);
  });
});

describe('interface endpoints: existing', () => {
  const existing = { mode: 'existing' as const, securityGroupId: 'sg-0fedcba9876543210' };

  it('creates no endpoint, gives the clients egress to the existing group, and has the plan check the endpoint', () => {
    const json = synthNetwork({ secretsManagerEndpoint: existing });
    const byService = endpoints(json);
    expect(Object.keys(byService)).toEqual(['elasticache']);
    expect(clientHttpsEgress(json)).toEqual([sgRef(json, names.endpointSecurityGroupName), 'sg-0fedcba9876543210'].sort());

    const [lookup] = all(json, 'data', 'aws_vpc_endpoint');
    expect(all(json, 'data', 'aws_vpc_endpoint')).toHaveLength(1);
    expect(lookup).toMatchObject({ vpc_id: VPC, state: 'available' });
    expect(lookup!.service_name).toMatch(/^com\.amazonaws\.\$\{data\.aws_region\.[^.]+\.name\}\.secretsmanager$/);
    expect(lookup!.id).toBeUndefined();
    const checks = lookup!.lifecycle.postcondition;
    expect(checks.map((c: Json) => c.condition)).toEqual([
      '${self.private_dns_enabled}',
      '${contains(self.security_group_ids, "sg-0fedcba9876543210")}',
    ]);
    expect(checks[0].error_message).toContain('environment dev: secretsManagerEndpoint is "existing", but the secretsmanager endpoint');
    expect(checks[1].error_message).toContain('secretsManagerEndpoint.securityGroupId sg-0fedcba9876543210 is not attached');
  });

  it('looks the endpoint up by id when given, and writes one egress rule for a group both endpoints share', () => {
    const json = synthNetwork({
      secretsManagerEndpoint: { ...existing, endpointId: 'vpce-0123456789abcdef0' },
      elasticacheEndpoint: existing,
    });
    expect(resources(json, 'aws_vpc_endpoint')).toEqual([]);
    // with no endpoint of its own, the platform has no endpoint group either
    expect(sgRef(json, names.endpointSecurityGroupName)).toBeUndefined();
    expect(clientHttpsEgress(json)).toEqual(['sg-0fedcba9876543210']);
    const lookups = all(json, 'data', 'aws_vpc_endpoint');
    expect(lookups.map((l) => [String(l.service_name).split('.').pop(), l.id]).sort()).toEqual([
      ['elasticache', undefined],
      ['secretsmanager', 'vpce-0123456789abcdef0'],
    ]);
  });
});

describe('interface endpoints: none', () => {
  it('creates no endpoint, no endpoint group, and gives the clients 443 egress to each named CIDR once', () => {
    const json = synthNetwork({
      secretsManagerEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0'] },
      elasticacheEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0', '10.9.0.0/24'] },
    });
    expect(resources(json, 'aws_vpc_endpoint')).toEqual([]);
    expect(all(json, 'data', 'aws_vpc_endpoint')).toEqual([]);
    expect(
      resources(json, 'aws_security_group')
        .map((sg) => sg.name)
        .sort(),
    ).toEqual([names.cacheSecurityGroupName, names.clientSecurityGroupName]);
    expect(clientHttpsEgress(json)).toEqual(['0.0.0.0/0', '10.9.0.0/24']);
    // the region is read only to name endpoint services
    expect(json.data?.aws_region).toBeUndefined();
  });

  it('mixes per endpoint: the platform creates one endpoint and routes the other', () => {
    const json = synthNetwork({ elasticacheEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0'] } });
    expect(Object.keys(endpoints(json))).toEqual(['secretsmanager']);
    expect(clientHttpsEgress(json)).toEqual(['0.0.0.0/0', sgRef(json, names.endpointSecurityGroupName)].sort());
  });
});

describe('interface endpoints: what AWS accepts', () => {
  // EC2 takes only these characters in group and rule descriptions (CreateSecurityGroup's
  // description; a group-referencing rule's, which also refuses "&"): an apostrophe fails the apply
  const DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]{0,255}$/;

  it('writes descriptions EC2 accepts in every mode', () => {
    const existing = { mode: 'existing' as const, securityGroupId: 'sg-0fedcba9876543210' };
    const variants = [
      synthNetwork({
        secretsManagerEndpoint: { mode: 'create', allowedCallers: { securityGroupIds: ['sg-89abcdef'], cidrs: ['10.0.0.0/8'] } },
      }),
      synthNetwork({ secretsManagerEndpoint: existing, elasticacheEndpoint: existing }),
      synthNetwork({ secretsManagerEndpoint: existing, elasticacheEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0'] } }),
    ];
    const descriptions = variants.flatMap((json) =>
      ['aws_security_group', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'].flatMap((type) =>
        resources(json, type).map((r) => r.description as string),
      ),
    );
    expect(descriptions.length).toBeGreaterThan(20);
    expect(descriptions.filter((d) => !DESCRIPTION.test(d))).toEqual([]);
  });
});

describe('interface endpoint settings: validation', () => {
  const refuse = (settings: Json) => () => synthNetwork(settings);

  it.each([
    [
      { secretsManagerEndpoint: { mode: 'shared' } },
      'environment dev: invalid secretsManagerEndpoint.mode "shared": must be "create" (the platform creates the endpoint), "existing" (the VPC has one with private DNS) or "none" (a NAT or other route)',
    ],
    [
      { elasticacheEndpoint: false },
      'environment dev: invalid elasticacheEndpoint false: must be { mode: ... } with mode "create" (the platform creates the endpoint)',
    ],
    [
      { secretsManagerEndpoint: { mode: 'existing' } },
      'environment dev: invalid secretsManagerEndpoint.securityGroupId undefined: mode "existing" needs a security group attached to the VPC\'s secretsmanager endpoint: the cache clients get HTTPS egress to it, and it must admit them',
    ],
    [
      { elasticacheEndpoint: { mode: 'existing', securityGroupId: 'sg-xyz' } },
      'environment dev: invalid elasticacheEndpoint.securityGroupId "sg-xyz": must be "sg-" followed by 8 or 17 lower-case hexadecimal digits',
    ],
    [
      { elasticacheEndpoint: { mode: 'existing', securityGroupId: 'sg-89abcdef', endpointId: 'vpc-123' } },
      'environment dev: invalid elasticacheEndpoint.endpointId "vpc-123": must be "vpce-" followed by 8 or 17 lower-case hexadecimal digits',
    ],
    [
      { secretsManagerEndpoint: { mode: 'none' } },
      'environment dev: invalid secretsManagerEndpoint.httpsEgressCidrs undefined: mode "none" needs the IPv4 CIDRs through which the cache clients reach secretsmanager on 443 (["0.0.0.0/0"] behind a NAT gateway): the rotation function carries only the clients security group, which has no other egress',
    ],
    [
      { secretsManagerEndpoint: { mode: 'none', httpsEgressCidrs: [] } },
      'invalid secretsManagerEndpoint.httpsEgressCidrs []: mode "none" needs',
    ],
    [
      { secretsManagerEndpoint: { mode: 'none', httpsEgressCidrs: ['10.0.0.1/16'] } },
      'environment dev: invalid secretsManagerEndpoint.httpsEgressCidrs "10.0.0.1/16": must be an IPv4 CIDR such as "10.0.0.0/16", with its host bits zero (AWS refuses "10.0.0.1/16")',
    ],
    [
      { secretsManagerEndpoint: { mode: 'none', httpsEgressCidrs: ['10.0.0.0/33'] } },
      'invalid secretsManagerEndpoint.httpsEgressCidrs "10.0.0.0/33": must be an IPv4 CIDR such as "10.0.0.0/16"',
    ],
    [
      { secretsManagerEndpoint: { mode: 'create', allowedCallers: { cidrs: ['10.1.0.0/16', '10.1.0.0/16'] } } },
      'environment dev: invalid secretsManagerEndpoint.allowedCallers.cidrs "10.1.0.0/16": is listed more than once',
    ],
    [
      { secretsManagerEndpoint: { mode: 'create', allowedCallers: { securityGroups: ['sg-89abcdef'] } } },
      'environment dev: invalid secretsManagerEndpoint.allowedCallers.securityGroups ["sg-89abcdef"]: is not a setting (securityGroupIds, cidrs)',
    ],
    [
      { secretsManagerEndpoint: { mode: 'create', securityGroupId: 'sg-89abcdef' } },
      'environment dev: invalid secretsManagerEndpoint.securityGroupId "sg-89abcdef": is not a setting of mode "create" (it takes allowedCallers)',
    ],
    [
      { elasticacheEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0'], allowedCallers: {} } },
      'environment dev: invalid elasticacheEndpoint.allowedCallers {}: is not a setting of mode "none" (it takes httpsEgressCidrs)',
    ],
  ])('refuses %j', (settings, message) => {
    expect(refuse(settings)).toThrow(message);
  });

  it('reports every problem of both endpoints at once, each naming the environment and the field', () => {
    let message = '';
    try {
      assertInterfaceEndpoints('prod', { secretsManagerEndpoint: { mode: 'existing' }, elasticacheEndpoint: { mode: 'nat' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'environment prod: 2 problems:',
      expect.stringMatching(/^ {2}- invalid secretsManagerEndpoint\.securityGroupId undefined: mode "existing" needs /),
      expect.stringMatching(/^ {2}- invalid elasticacheEndpoint\.mode "nat": must be "create" /),
    ]);
  });

  it('fills in the default and accepts each mode well formed', () => {
    expect(assertInterfaceEndpoints('dev', {})).toEqual({
      secretsManagerEndpoint: { mode: 'create' },
      elasticacheEndpoint: { mode: 'create' },
    });
    const settings = {
      secretsManagerEndpoint: { mode: 'existing', securityGroupId: 'sg-89abcdef', endpointId: 'vpce-0123456789abcdef0' },
      elasticacheEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0', '10.0.0.0/8'] },
    };
    expect(assertInterfaceEndpoints('dev', settings)).toEqual(settings);
  });
});
