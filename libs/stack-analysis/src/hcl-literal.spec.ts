import { HclLiteralError, parseHclLiteral, readJsonAttribute } from './hcl-literal';

// the secret payload as cdktf synthesized it (enrollment-api-dev, `secret_string_wo` of the secret version)
const SYNTHESIZED_PAYLOAD =
  '${jsonencode({"schemaVersion" = 1, "host" = data.aws_ssm_parameter.platform_endpointAddress_E88F6347.insecure_value, "port" = tonumber(data.aws_ssm_parameter.platform_endpointPort_7C987F1D.insecure_value), "readerPort" = tonumber(data.aws_ssm_parameter.platform_readerPort_972123AD.insecure_value), "username" = aws_elasticache_user.cache-access_user_96CBC6B8.user_name, "password" = "", "keyspace" = "enrollment-api", "tls" = true, "authMode" = "iam", "cacheName" = data.aws_ssm_parameter.platform_cacheName_3D3176B4.insecure_value, "user_arn" = aws_elasticache_user.cache-access_user_96CBC6B8.arn, "clusterMode" = true})}';

describe('readJsonAttribute: what Fn.jsonencode writes, read as JSON', () => {
  it('reads the real secret payload: literals as values, references kept as ${...}', () => {
    const payload = readJsonAttribute(SYNTHESIZED_PAYLOAD) as Record<string, unknown>;
    expect(payload).toMatchObject({
      schemaVersion: 1,
      tls: true,
      authMode: 'iam',
      keyspace: 'enrollment-api',
      password: '',
      username: '${aws_elasticache_user.cache-access_user_96CBC6B8.user_name}',
      port: '${tonumber(data.aws_ssm_parameter.platform_endpointPort_7C987F1D.insecure_value)}',
    });
  });

  it('keeps any expression as an expression: operators, conditionals, calls, indexes', () => {
    expect(
      parseHclLiteral('{a = 1 == 0, b = x ? "y" : "z", c = merge({}, {}), d = [1, 2][0], e = "arn:${p.q.r}:x", f = [true, null, -2.5]}'),
    ).toEqual({
      a: '${1 == 0}',
      b: '${x ? "y" : "z"}',
      c: '${merge({}, {})}',
      d: '${[1, 2][0]}',
      e: 'arn:${p.q.r}:x',
      f: [true, null, -2.5],
    });
  });

  it('leaves a reference or another function to the caller, parses literal JSON, refuses what does not parse', () => {
    expect(readJsonAttribute('${data.aws_iam_policy_document.x.json}')).toBeUndefined();
    expect(readJsonAttribute('${file("policy.json")}')).toBeUndefined();
    expect(readJsonAttribute('{"Statement": []}')).toEqual({ Statement: [] });
    expect(() => readJsonAttribute('${jsonencode({"a" = })}')).toThrow(HclLiteralError);
    expect(() => parseHclLiteral('{"a" = 1, "a" = 2}')).toThrow('duplicate object key "a"');
    expect(() => parseHclLiteral('{(k) = 1}')).toThrow('a computed object key');
  });
});
