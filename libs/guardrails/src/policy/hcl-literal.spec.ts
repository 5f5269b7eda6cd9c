import { fixture, payloadAttribute, SECRET_VERSION } from '../../test/fixtures';
import { HclLiteralError, parseHclLiteral, readJsonAttribute } from './hcl-literal';

describe('readJsonAttribute: what Fn.jsonencode writes, read as JSON', () => {
  it('reads the real secret payload: literals as values, references kept as ${...}', () => {
    const json = fixture('service-iam');
    const payload = readJsonAttribute(json.resource.aws_secretsmanager_secret_version[SECRET_VERSION][payloadAttribute(json)]) as Record<
      string,
      unknown
    >;
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
