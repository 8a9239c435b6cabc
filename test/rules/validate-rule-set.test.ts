import { describe, expect, it } from 'vitest';
import type { PathError } from '../../src/core/errors/index.js';
import { createVocabulary } from '../../src/core/observations/index.js';
import { compileRuleSet, validateRuleSet } from '../../src/core/rules/index.js';
import type { RuleSetReferences } from '../../src/core/rules/index.js';
import { loadZoneSet } from '../support/demo.js';
import { loadDemoRuleSet } from './rule-case.js';

const demoZoneIds = new Set(loadZoneSet().zones.map((z) => z.id));
const refs: RuleSetReferences = { vocabulary: createVocabulary(), zoneIds: demoZoneIds };

/** A minimal valid rule with the given fields replaced. */
const rule = (fields: Record<string, unknown> = {}) => ({
  id: 'r1',
  name: 'Rule one',
  severity: 'low',
  kinds: ['detection'],
  ...fields,
});
const ruleSet = (...rules: unknown[]) => ({ rules });

/** The errors of a rule set as [path, code] pairs. */
function faults(value: unknown, references: RuleSetReferences = refs): [string, string][] {
  const v = validateRuleSet(value, references);
  return v.ok ? [] : v.errors.map((e: PathError) => [e.path, e.code]);
}

describe('validateRuleSet', () => {
  it('accepts the demo rule set against the demo zone ids', () => {
    const v = validateRuleSet(loadDemoRuleSet(), refs);
    expect(v.ok ? [] : v.errors).toEqual([]);
    if (!v.ok) return;
    expect(v.ruleSet.rules.length).toBe(14);
    expect(compileRuleSet(v.ruleSet).byId.size).toBe(14);
  });

  it('accepts an empty rule set and a minimal rule', () => {
    expect(faults(ruleSet())).toEqual([]);
    expect(faults(ruleSet(rule()))).toEqual([]);
  });

  it('reports a duplicate rule id at the second use', () => {
    const v = validateRuleSet(ruleSet(rule(), rule({ id: 'r2' }), rule({ name: 'Again' })), refs);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors).toEqual([
      { path: '/rules/2/id', code: 'DUPLICATE_ID', message: "rule id 'r1' is used twice" },
    ]);
  });

  it('reports zones the zone spec does not define, in zones and exceptZones', () => {
    expect(
      faults(ruleSet(rule({ zones: ['dmz', 'nowhere'], exceptZones: ['crossing-9'] }))),
    ).toEqual([
      ['/rules/0/zones/1', 'UNKNOWN_ZONE'],
      ['/rules/0/exceptZones/0', 'UNKNOWN_ZONE'],
    ]);
  });

  it('does not check zone ids when no zone ids are given', () => {
    const noZones = { vocabulary: createVocabulary() };
    expect(faults(ruleSet(rule({ zones: ['nowhere'] })), noZones)).toEqual([]);
  });

  it('reports classes and types outside the vocabulary', () => {
    const r = rule({
      classes: ['tank', 'spaceship'],
      exceptClasses: ['ufo'],
      eventTypes: ['boom'],
      interferenceTypes: ['laser'],
    });
    const v = validateRuleSet(ruleSet(r), refs);
    expect(v.ok ? [] : v.errors).toEqual([
      {
        path: '/rules/0/classes/1',
        code: 'UNKNOWN_TERM',
        message: "'spaceship' is not a known class",
      },
      {
        path: '/rules/0/exceptClasses/0',
        code: 'UNKNOWN_TERM',
        message: "'ufo' is not a known class",
      },
      {
        path: '/rules/0/eventTypes/0',
        code: 'UNKNOWN_TERM',
        message: "'boom' is not a known event type",
      },
      {
        path: '/rules/0/interferenceTypes/0',
        code: 'UNKNOWN_TERM',
        message: "'laser' is not a known interference type",
      },
    ]);
  });

  it('accepts classes and types the configuration adds to the vocabulary', () => {
    const vocabulary = createVocabulary({
      classes: ['armoured-train'],
      eventTypes: ['drone-drop'],
      interferenceTypes: ['laser-dazzle'],
    });
    const r = rule({
      classes: ['armoured-train'],
      eventTypes: ['drone-drop'],
      interferenceTypes: ['laser-dazzle'],
    });
    expect(faults(ruleSet(r), { vocabulary, zoneIds: demoZoneIds })).toEqual([]);
    expect(faults(ruleSet(r))).toHaveLength(3);
  });

  it.each([
    [
      'a window that ends before it starts',
      { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      [['/rules/0/window/to', 'INVALID_INTERVAL']],
    ],
    [
      'a window that ends when it starts (offsets honoured)',
      { from: '2026-01-01T00:00:00Z', to: '2026-01-01T02:00:00+02:00' },
      [['/rules/0/window/to', 'INVALID_INTERVAL']],
    ],
    ['a from that is no date-time', { from: 'yesterday' }, [['/rules/0/window/from', 'SCHEMA']]],
    ['a to without a time zone', { to: '2026-01-01T00:00:00' }, [['/rules/0/window/to', 'SCHEMA']]],
    [
      'a from with more fraction digits than RFC 3339 parsing takes',
      { from: '2026-01-01T00:00:00.1234567890Z' },
      [['/rules/0/window/from', 'INVALID_TIME']],
    ],
    ['a dailyFrom of 24:00', { dailyFrom: '24:00' }, [['/rules/0/window/dailyFrom', 'SCHEMA']]],
    ['a dailyTo of 7:00', { dailyTo: '7:00' }, [['/rules/0/window/dailyTo', 'SCHEMA']]],
    ['an unknown window field', { days: ['mon'] }, [['/rules/0/window', 'SCHEMA']]],
  ])('reports %s', (_label, window, expected) => {
    expect(faults(ruleSet(rule({ window })))).toEqual(expected);
  });

  it.each([
    ['open at both ends', {}],
    ['open at the end', { from: '2026-01-01T00:00:00Z' }],
    ['ending at a leap second', { from: '2026-01-01T00:00:00Z', to: '2026-06-30T23:59:60Z' }],
    ['overnight daily', { dailyFrom: '22:00', dailyTo: '06:00' }],
    ['lowercase t and z', { from: '2026-01-01t00:00:00z', to: '2026-01-02t00:00:00z' }],
  ])('accepts a window %s', (_label, window) => {
    expect(faults(ruleSet(rule({ window })))).toEqual([]);
  });

  it.each([
    ['not an object', null, [['', 'SCHEMA']]],
    ['an array', [], [['', 'SCHEMA']]],
    ['no rules', {}, [['', 'SCHEMA']]],
    [
      'a rule without a name',
      ruleSet({ id: 'r1', severity: 'low', kinds: ['kinetic'] }),
      [['/rules/0', 'SCHEMA']],
    ],
    [
      'an unknown severity',
      ruleSet(rule({ severity: 'extreme' })),
      [['/rules/0/severity', 'SCHEMA']],
    ],
    ['no kinds', ruleSet(rule({ kinds: [] })), [['/rules/0/kinds', 'SCHEMA']]],
    ['an unknown kind', ruleSet(rule({ kinds: ['rumour'] })), [['/rules/0/kinds/0', 'SCHEMA']]],
    [
      'a kind twice',
      ruleSet(rule({ kinds: ['detection', 'detection'] })),
      [['/rules/0/kinds', 'SCHEMA']],
    ],
    ['an unknown field', ruleSet(rule({ colour: 'red' })), [['/rules/0', 'SCHEMA']]],
    ['a zone twice', ruleSet(rule({ zones: ['dmz', 'dmz'] })), [['/rules/0/zones', 'SCHEMA']]],
    ['an empty zone list', ruleSet(rule({ zones: [] })), [['/rules/0/zones', 'SCHEMA']]],
    ['a bad rule id', ruleSet(rule({ id: 'bad id' })), [['/rules/0/id', 'SCHEMA']]],
    [
      'notifiable as text',
      ruleSet(rule({ notifiable: 'no' })),
      [['/rules/0/notifiable', 'SCHEMA']],
    ],
    [
      'a negative merge distance',
      { merge: { distanceM: -1 }, rules: [] },
      [['/merge/distanceM', 'SCHEMA']],
    ],
    [
      'a merge window over a week',
      ruleSet(rule({ merge: { windowS: 8 * 86_400 } })),
      [['/rules/0/merge/windowS', 'SCHEMA']],
    ],
  ])('reports a schema fault: %s', (_label, value, expected) => {
    expect(faults(value)).toEqual(expected);
  });

  it('reports NaN and Infinity as NOT_FINITE with their paths, before any other fault', () => {
    const value = {
      merge: { distanceM: NaN },
      rules: [rule({ merge: { windowS: Infinity } }), rule({ zones: ['nowhere'] })],
    };
    expect(faults(value)).toEqual([
      ['/merge/distanceM', 'NOT_FINITE'],
      ['/rules/0/merge/windowS', 'NOT_FINITE'],
    ]);
  });

  it('reports every fault of every rule at once', () => {
    const value = ruleSet(
      rule({ zones: ['nowhere'], classes: ['spaceship'] }),
      rule({ window: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }),
    );
    expect(faults(value)).toEqual([
      ['/rules/0/zones/0', 'UNKNOWN_ZONE'],
      ['/rules/0/classes/0', 'UNKNOWN_TERM'],
      ['/rules/1/id', 'DUPLICATE_ID'],
      ['/rules/1/window/to', 'INVALID_INTERVAL'],
    ]);
  });
});
