import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RuleSet } from '../../src/core/rules/index.js';
import { loadZoneSet } from '../support/demo.js';
import {
  canonicalExpected,
  loadDemoRuleSet,
  prepareCase,
  runCaseObservation,
} from './rule-case.js';
import type { PreparedCase, RuleCase } from './rule-case.js';

const dir = new URL('./cases/', import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f.slice(0, -'.json'.length),
    c: JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as RuleCase,
  }));
const zoneSet = loadZoneSet();
const demoRuleSet = loadDemoRuleSet() as RuleSet;
const idOf = (o: unknown) => (o as { id: string }).id;

describe.each(cases)('rule case $name', ({ c }) => {
  let prepared: PreparedCase | undefined;
  const prepare = () => (prepared ??= prepareCase(c, zoneSet));

  it('has valid rules, sensors and notifications and one expectation per observation', () => {
    expect(c.description.length).toBeGreaterThan(0);
    prepare();
    const ids = c.observations.map(idOf);
    expect(new Set(ids).size).toBe(ids.length);
    expect(c.expected.map((e) => e.observation).sort()).toEqual([...ids].sort());
  });

  for (const e of c.expected) {
    const test = e.knownIssue ? it.fails : it;
    test(`${e.observation}${e.note ? `: ${e.note}` : ''}`, () => {
      const observation = c.observations.find((o) => idOf(o) === e.observation);
      const got = runCaseObservation(prepare(), observation);
      expect({ findings: got.findings, authorized: got.authorized }).toEqual(canonicalExpected(e));
    });
  }
});

describe('the rule cases together', () => {
  it('cover at least twenty behaviours', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it('exercise every rule of the demo rule set with a finding', () => {
    const found = new Set<string>();
    for (const { c } of cases) {
      if (c.rules !== 'demo') continue;
      for (const e of c.expected) {
        if (!e.knownIssue) for (const f of e.findings) found.add(f.ruleId);
      }
    }
    expect(demoRuleSet.rules.map((r) => r.id).filter((id) => !found.has(id))).toEqual([]);
  });

  it('include certain and possible findings and authorizations', () => {
    const certainties = new Set(
      cases.flatMap(({ c }) => c.expected.flatMap((e) => e.findings.map((f) => f.certainty))),
    );
    expect([...certainties].sort()).toEqual(['certain', 'possible']);
    expect(cases.some(({ c }) => c.expected.some((e) => (e.authorized ?? []).length > 0))).toBe(
      true,
    );
  });

  it('use every rule condition', () => {
    const used = new Set<string>();
    for (const { c } of cases) {
      const rules = c.rules === 'demo' ? demoRuleSet.rules : c.rules.rules;
      for (const r of rules) {
        for (const k of Object.keys(r)) used.add(k);
        for (const k of Object.keys(r.window ?? {})) used.add(`window.${k}`);
      }
    }
    const conditions = [
      'kinds',
      'zones',
      'zoneKinds',
      'exceptZones',
      'parties',
      'exceptParties',
      'classes',
      'exceptClasses',
      'activities',
      'eventTypes',
      'interferenceTypes',
      'targetOwners',
      'notifiable',
      'window.from',
      'window.to',
      'window.dailyFrom',
      'window.dailyTo',
    ];
    expect(conditions.filter((k) => !used.has(k))).toEqual([]);
  });

  it('give coordinates to at most 6 decimals', () => {
    const tooPrecise: string[] = [];
    const visit = (v: unknown, path: string): void => {
      if (typeof v === 'number') {
        if (/(lon|lat)$/.test(path) && Math.round(v * 1e6) / 1e6 !== v) tooPrecise.push(path);
        return;
      }
      if (typeof v !== 'object' || v === null) return;
      for (const [k, x] of Object.entries(v)) visit(x, `${path}/${k}`);
    };
    for (const { name, c } of cases) visit(c, name);
    expect(tooPrecise).toEqual([]);
  });
});
