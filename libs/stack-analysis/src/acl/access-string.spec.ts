import { buildAccessString, DISABLED_DEFAULT_ACCESS_STRING } from '@cache-platform/cache-contract';
import {
  AccessStringError,
  canonicalAccessString,
  compareAccessStrings,
  describeAccessDifference,
  evaluateAccessString,
  forbiddenCommandsAllowed,
} from './access-string';

describe('access strings by meaning', () => {
  it('treats the -@all ElastiCache inserts as no change', () => {
    expect(compareAccessStrings('on ~app:* -@all +@read', 'on ~app:* +@read')).toBeUndefined();
    expect(canonicalAccessString('on ~app:* -@all +@read')).toBe(canonicalAccessString('on ~app:* +@read'));
  });

  it('ignores order where it does not matter, redundant rules and passwords', () => {
    const desired = buildAccessString('app', 'readwrite');
    const shuffled = desired.replace('-@dangerous -@admin', '-@admin -@dangerous').replace('-scan -randomkey', '-randomkey -scan');
    expect(compareAccessStrings(`${shuffled} >secretsecretsecret1 nopass`, desired)).toBeUndefined();
    // every @admin command is @dangerous too: Redis itself drops -@admin after -@dangerous
    expect(compareAccessStrings(desired.replace(' -@admin', ''), desired)).toBeUndefined();
    expect(compareAccessStrings('on ~app:* %RW~app:* ~app:* +get', 'on %RW~app:* +get')).toBeUndefined();
    expect(compareAccessStrings('on ~app:* ~* +get', 'on allkeys +get')).toBeUndefined();
  });

  it('keeps order where it matters: a later rule overrides an earlier one', () => {
    const difference = compareAccessStrings('on ~app:* +@all -@dangerous +keys', 'on ~app:* +@all -@dangerous');
    expect(difference?.commandsAdded).toEqual(['keys']);
    expect(compareAccessStrings('on ~app:* -@dangerous +@all', 'on ~app:* +@all -@dangerous')?.commandsAdded).toContain('flushall');
  });

  it('describes the difference in words', () => {
    const difference = compareAccessStrings('on ~* +@all -@dangerous', 'on ~app:* +@all -@dangerous -scan')!;
    expect(describeAccessDifference(difference)).toBe('live also allows keys ~*; live lacks keys ~app:*; live also allows commands scan');
    expect(describeAccessDifference(compareAccessStrings('off ~app:* +get', 'on ~app:* +get')!)).toBe('user is off, should be on');
  });

  it('evaluates subcommands, categories and the container command', () => {
    const state = evaluateAccessString('on -@all +config -config|set +client|id');
    expect(state.commands).toEqual(expect.arrayContaining(['config', 'config|get', 'client|id']));
    expect(state.commands).not.toContain('config|set');
    expect(state.commands).not.toContain('client|kill');
  });

  it('reads the channel default of the server: allchannels on ElastiCache Serverless unless a rule sets them', () => {
    expect(evaluateAccessString('on ~app:* +get').channels).toEqual(['*']);
    expect(evaluateAccessString('on ~app:* +get', { pubsubDefault: 'resetchannels' }).channels).toEqual([]);
    expect(evaluateAccessString('on ~app:* &app:* +get')).toMatchObject({ channels: ['app:*'], channelsByDefault: false });
    expect(evaluateAccessString('on resetchannels +get').channels).toEqual([]);
  });

  it('finds dangerous and admin commands, and the key-listing ones', () => {
    expect(forbiddenCommandsAllowed(evaluateAccessString(buildAccessString('app', 'readwrite')))).toEqual([]);
    expect(forbiddenCommandsAllowed(evaluateAccessString(buildAccessString('app', 'readonly')))).toEqual([]);
    expect(forbiddenCommandsAllowed(evaluateAccessString(DISABLED_DEFAULT_ACCESS_STRING))).toEqual([]);
    expect(forbiddenCommandsAllowed(evaluateAccessString('on ~app:* -@all +get +scan +flushdb'))).toEqual(['flushdb', 'scan']);
  });

  it('refuses what Redis would refuse, naming the rule', () => {
    expect(() => evaluateAccessString('on ~app:* +@everything')).toThrow(AccessStringError);
    expect(() => evaluateAccessString('on ~app:* +@everything')).toThrow(
      'invalid access string "on ~app:* +@everything": rule "+@everything" names an unknown ACL category',
    );
    expect(() => evaluateAccessString('on ~app:* banana')).toThrow('rule "banana" is not a Redis ACL rule');
    expect(() => evaluateAccessString('on (~app:* +get')).toThrow('opens a selector "(" that is never closed');
  });
});
