import { readFileSync } from 'node:fs';
import { assessObservation } from '../../src/core/assessment/index.js';
import type { ObservationAssessment } from '../../src/core/assessment/index.js';
import { schemaErrors } from '../../src/core/errors/index.js';
import {
  createVocabulary,
  parseRfc3339,
  SensorSchema,
  validateObservation,
} from '../../src/core/observations/index.js';
import type { Sensor } from '../../src/core/observations/index.js';
import { compileRuleSet, validateRuleSet } from '../../src/core/rules/index.js';
import type {
  Certainty,
  CompiledRuleSet,
  PriorNotification,
  RuleContext,
  RuleSet,
} from '../../src/core/rules/index.js';
import type { ZoneSet } from '../../src/core/zones/index.js';

/** The notional demo rule set. */
export const DEMO_RULES = new URL('../../examples/rules/notional-demo.json', import.meta.url);

/** A prior notification as a case file writes it: its window in RFC 3339. */
export interface CaseNotification {
  readonly id: string;
  readonly party: string;
  readonly classes?: string[];
  readonly eventTypes?: string[];
  readonly zones?: string[];
  readonly from: string;
  readonly to: string;
}

/** A finding as a case expects it. */
export interface ExpectedFinding {
  readonly ruleId: string;
  readonly certainty: Certainty;
}

/** An authorization as a case expects it. */
export interface ExpectedAuthorization {
  readonly ruleId: string;
  readonly notificationId: string;
}

/** What a case expects of one of its observations (absent `authorized`: none). */
export interface ExpectedOutcome {
  readonly observation: string;
  /** Why the outcome is what it is, for the reader. */
  readonly note?: string;
  /** Set when the code is known to get this wrong: the test is expected to fail until fixed. */
  readonly knownIssue?: string;
  readonly findings: ExpectedFinding[];
  readonly authorized?: ExpectedAuthorization[];
}

/** One behaviour of the rules, as data. */
export interface RuleCase {
  readonly description: string;
  readonly rules: RuleSet | 'demo';
  readonly sensors: Sensor[];
  readonly notifications?: CaseNotification[];
  readonly observations: unknown[];
  readonly expected: ExpectedOutcome[];
}

/** A case made ready to run: rules compiled, sensors by id, notifications in Unix ms. */
export interface PreparedCase {
  readonly ruleSet: RuleSet;
  readonly rules: CompiledRuleSet;
  readonly sensors: ReadonlyMap<string, Sensor>;
  readonly ruleContext: RuleContext;
  readonly zoneSet: ZoneSet;
}

/** What the pipeline made of one observation, reduced to what a case compares. */
export interface CaseOutcome {
  readonly findings: ExpectedFinding[];
  readonly authorized: ExpectedAuthorization[];
  readonly assessment: ObservationAssessment;
}

/** The demo rule set as parsed JSON. */
export function loadDemoRuleSet(): unknown {
  return JSON.parse(readFileSync(DEMO_RULES, 'utf8'));
}

function toMs(text: string, where: string): number {
  const ms = parseRfc3339(text);
  if (Number.isNaN(ms)) throw new Error(`${where}: '${text}' is not RFC 3339`);
  return ms;
}

/** Validates and compiles a case's rules, sensors and notifications against the zone set. */
export function prepareCase(c: RuleCase, zoneSet: ZoneSet): PreparedCase {
  const zoneKinds = new Map(zoneSet.zones.map((z) => [z.id, z.spec.kind as string]));
  const validation = validateRuleSet(c.rules === 'demo' ? loadDemoRuleSet() : c.rules, {
    vocabulary: createVocabulary(),
    zoneIds: new Set(zoneKinds.keys()),
  });
  if (!validation.ok) throw new Error(`rules: ${JSON.stringify(validation.errors)}`);
  const sensors = new Map<string, Sensor>();
  for (const s of c.sensors) {
    const errors = schemaErrors(SensorSchema, s, '');
    if (errors.length > 0) throw new Error(`sensor ${s.id}: ${JSON.stringify(errors)}`);
    sensors.set(s.id, s);
  }
  const notifications: PriorNotification[] = (c.notifications ?? []).map((n) => {
    const { from, to, ...rest } = n;
    return {
      ...rest,
      fromMs: toMs(from, `notification ${n.id}`),
      toMs: toMs(to, `notification ${n.id}`),
    };
  });
  return {
    ruleSet: validation.ruleSet,
    rules: compileRuleSet(validation.ruleSet),
    sensors,
    ruleContext: { zoneKinds, notifications },
    zoneSet,
  };
}

const byRule = <T extends { ruleId: string }>(a: T, b: T) =>
  a.ruleId.localeCompare(b.ruleId) || JSON.stringify(a).localeCompare(JSON.stringify(b));

/**
 * Runs one observation as the ingest pipeline does: validate, then locate, classify against the
 * zones and apply the rules. The owner of an interference's target sensor comes from the case's
 * sensors ("unknown" for a sensor the case does not register, as ingest does).
 */
export function runCaseObservation(p: PreparedCase, value: unknown): CaseOutcome {
  const v = validateObservation(value, createVocabulary());
  if (!v.ok) throw new Error(`observation is invalid: ${JSON.stringify(v.errors)}`);
  const o = v.observation;
  const sensor = p.sensors.get(o.sensorId);
  if (!sensor) throw new Error(`observation ${o.id}: sensor ${o.sensorId} is not in the case`);
  const target = o.interference?.targetSensorId;
  const assessment = assessObservation(o, v.observedAtMs, sensor, {
    zoneSet: p.zoneSet,
    rules: p.rules,
    ruleContext: p.ruleContext,
    ...(target !== undefined && { targetOwner: p.sensors.get(target)?.owner ?? 'unknown' }),
  });
  return {
    findings: assessment.evaluation.findings
      .map((f) => ({ ruleId: f.ruleId, certainty: f.certainty }))
      .sort(byRule),
    authorized: assessment.evaluation.authorized
      .map((a) => ({ ruleId: a.ruleId, notificationId: a.notificationId }))
      .sort(byRule),
    assessment,
  };
}

/** The expected outcome in the same canonical order as runCaseObservation's. */
export function canonicalExpected(e: ExpectedOutcome): {
  findings: ExpectedFinding[];
  authorized: ExpectedAuthorization[];
} {
  return {
    findings: e.findings.map((f) => ({ ruleId: f.ruleId, certainty: f.certainty })).sort(byRule),
    authorized: (e.authorized ?? [])
      .map((a) => ({ ruleId: a.ruleId, notificationId: a.notificationId }))
      .sort(byRule),
  };
}
