import { parseRfc3339 } from '../observations/index.js';
import type { ObservationKind } from '../observations/index.js';
import type { Rule, RuleSet, Severity } from './rule-schema.js';

/** What the rules see of one observation: what it reports, where, and who made it. */
export interface ObservationFacts {
  /** The reporting sensor. */
  readonly sensorId: string;
  /** The observation's id (unique per sensor). */
  readonly observationId: string;
  /** Observation kind. */
  readonly kind: ObservationKind;
  /** Event time, Unix ms. */
  readonly observedAtMs: number;
  /** Organisation that owns the reporting sensor. */
  readonly sensorOwner: string;
  /** Party of the detected object, if identified. */
  readonly party?: string;
  /** Equipment class of the detected object. */
  readonly class?: string;
  /** Number of objects or events (1 if not given). */
  readonly count: number;
  /** Activity of the detected object. */
  readonly activity?: string;
  /** Kinetic event type. */
  readonly eventType?: string;
  /** Interference type. */
  readonly interferenceType?: string;
  /** Owner of the sensor interfered with (the target, else the reporting sensor). */
  readonly targetOwner?: string;
  /** Zones that certainly contain the position. */
  readonly inside: readonly string[];
  /** Zones that may contain it given its uncertainty. */
  readonly possiblyInside: readonly string[];
  /** Party holding the side of the line the position is on, if decided. */
  readonly side: string | null;
  /** Best estimate of the position, degrees; null when the observation has no position. */
  readonly lon: number | null;
  /** Best estimate of the position, degrees, or null. */
  readonly lat: number | null;
  /** Radius around the estimate that holds the position, metres, or null. */
  readonly radiusM: number | null;
}

/**
 * A prior notification by a party (A5): activity it announced in advance, which the rules then
 * treat as authorized for its scope and window.
 */
export interface PriorNotification {
  /** Notification id. */
  readonly id: string;
  /** The notifying party. */
  readonly party: string;
  /** Equipment classes it covers (absent: any). */
  readonly classes?: readonly string[];
  /** Kinetic event types it covers (absent: any). */
  readonly eventTypes?: readonly string[];
  /** Zones it covers (absent: anywhere). */
  readonly zones?: readonly string[];
  /** Start of its window, Unix ms. */
  readonly fromMs: number;
  /** End of its window (exclusive), Unix ms. */
  readonly toMs: number;
}

/** Everything besides the observation that the rules depend on. */
export interface RuleContext {
  /** Kind of each zone in force, by id. */
  readonly zoneKinds: ReadonlyMap<string, string>;
  /** Prior notifications that may authorize activity. */
  readonly notifications: readonly PriorNotification[];
}

/** Certain when the whole uncertainty region satisfies the rule, possible when part of it does. */
export type Certainty = 'certain' | 'possible';

/** A rule's verdict on one observation. */
export interface Finding {
  /** The rule. */
  readonly ruleId: string;
  /** Its severity. */
  readonly severity: Severity;
  /** Whether the whole uncertainty region of the observation breaks the rule. */
  readonly certainty: Certainty;
  /** The reporting sensor. */
  readonly sensorId: string;
  /** The observation. */
  readonly observationId: string;
  /** Event time, Unix ms. */
  readonly observedAtMs: number;
  /** Position estimate, degrees, or null when the observation has none. */
  readonly lon: number | null;
  /** Position estimate, degrees, or null. */
  readonly lat: number | null;
  /** Radius holding the position, metres, or null. */
  readonly radiusM: number | null;
  /** Zones the rule matched the position in (certainly or possibly). */
  readonly zones: readonly string[];
  /** Sectors (zones of kind `sector`) that contain or may contain the position. */
  readonly sectors: readonly string[];
  /** Equipment class of the object, for detections. */
  readonly class?: string;
  /** Event type, for kinetic observations. */
  readonly eventType?: string;
  /** Interference type. */
  readonly interferenceType?: string;
  /** Party of the object, if identified. */
  readonly party?: string;
  /** Number of objects or events. */
  readonly count: number;
}

/** An activity a rule would have found, made lawful by a prior notification. */
export interface Authorization {
  /** The rule. */
  readonly ruleId: string;
  /** The notification that authorized it. */
  readonly notificationId: string;
}

/** The verdict of all rules on one observation. */
export interface RuleEvaluation {
  /** Findings, one per rule broken. */
  readonly findings: Finding[];
  /** Rules that matched but were authorized by a notification. */
  readonly authorized: Authorization[];
}

const T = 2;
const U = 1;
const F = 0;
type Tri = 0 | 1 | 2;

interface CompiledRule {
  readonly rule: Rule;
  readonly zones?: ReadonlySet<string>;
  readonly zoneKinds?: ReadonlySet<string>;
  readonly exceptZones?: ReadonlySet<string>;
  readonly parties?: ReadonlySet<string>;
  readonly exceptParties?: ReadonlySet<string>;
  readonly classes?: ReadonlySet<string>;
  readonly exceptClasses?: ReadonlySet<string>;
  readonly activities?: ReadonlySet<string>;
  readonly eventTypes?: ReadonlySet<string>;
  readonly interferenceTypes?: ReadonlySet<string>;
  readonly targetOwners?: ReadonlySet<string>;
  readonly fromMs: number;
  readonly toMs: number;
  readonly dailyFromMin?: number;
  readonly dailyToMin?: number;
}

/** A rule set prepared for evaluation: lists as sets, rules grouped by observation kind. */
export interface CompiledRuleSet {
  /** The rule set. */
  readonly ruleSet: RuleSet;
  /** Rules by id. */
  readonly byId: ReadonlyMap<string, Rule>;
  /** The compiled rules that look at each observation kind. */
  readonly byKind: ReadonlyMap<ObservationKind, readonly CompiledRule[]>;
}

const set = (xs: readonly string[] | undefined) => (xs ? new Set(xs) : undefined);
const minutes = (hhmm: string | undefined) =>
  hhmm === undefined ? undefined : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Prepares a validated rule set for evaluation. */
export function compileRuleSet(ruleSet: RuleSet): CompiledRuleSet {
  const byKind = new Map<ObservationKind, CompiledRule[]>();
  const byId = new Map<string, Rule>();
  for (const rule of ruleSet.rules) {
    byId.set(rule.id, rule);
    const compiled: CompiledRule = {
      rule,
      zones: set(rule.zones),
      zoneKinds: set(rule.zoneKinds),
      exceptZones: set(rule.exceptZones),
      parties: set(rule.parties),
      exceptParties: set(rule.exceptParties),
      classes: set(rule.classes),
      exceptClasses: set(rule.exceptClasses),
      activities: set(rule.activities),
      eventTypes: set(rule.eventTypes),
      interferenceTypes: set(rule.interferenceTypes),
      targetOwners: set(rule.targetOwners),
      fromMs: rule.window?.from ? parseRfc3339(rule.window.from) : -Infinity,
      toMs: rule.window?.to ? parseRfc3339(rule.window.to) : Infinity,
      dailyFromMin: minutes(rule.window?.dailyFrom),
      dailyToMin: minutes(rule.window?.dailyTo),
    };
    for (const kind of rule.kinds) {
      const list = byKind.get(kind) ?? [];
      list.push(compiled);
      byKind.set(kind, list);
    }
  }
  return { ruleSet, byId, byKind };
}

/** Whether a value passes an include list and an exclude list (an absent list passes all). */
function passes(
  value: string | undefined,
  include: ReadonlySet<string> | undefined,
  exclude: ReadonlySet<string> | undefined,
): boolean {
  if (include && (value === undefined || !include.has(value))) return false;
  return !(exclude && value !== undefined && exclude.has(value));
}

function inWindow(r: CompiledRule, atMs: number): boolean {
  if (atMs < r.fromMs || atMs >= r.toMs) return false;
  if (r.dailyFromMin === undefined && r.dailyToMin === undefined) return true;
  const from = r.dailyFromMin ?? 0;
  const to = r.dailyToMin ?? 24 * 60;
  const minute = Math.floor((((atMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
}

/** Three-valued membership of the position in any zone the predicate selects. */
function zoneTri(f: ObservationFacts, select: (zoneId: string) => boolean, hits: string[]): Tri {
  let out: Tri = F;
  for (const z of f.inside) {
    if (select(z)) {
      hits.push(z);
      out = T;
    }
  }
  if (out === T) return T;
  for (const z of f.possiblyInside) {
    if (select(z)) {
      hits.push(z);
      out = U;
    }
  }
  return out;
}

/** Three-valued: does the position satisfy the rule's zone conditions? */
function whereTri(r: CompiledRule, f: ObservationFacts, ctx: RuleContext, hits: string[]): Tri {
  let where: Tri = T;
  if (r.zones || r.zoneKinds) {
    where = zoneTri(
      f,
      (z) => !!r.zones?.has(z) || !!r.zoneKinds?.has(ctx.zoneKinds.get(z) ?? ''),
      hits,
    );
  }
  if (where === F || !r.exceptZones) return where;
  const except = zoneTri(f, (z) => !!r.exceptZones?.has(z), []);
  // Kleene: where AND NOT except.
  return Math.min(where, T - except) as Tri;
}

function whatMatches(r: CompiledRule, f: ObservationFacts): boolean {
  return (
    passes(f.party ?? 'unknown', r.parties, r.exceptParties) &&
    passes(f.class, r.classes, r.exceptClasses) &&
    passes(f.activity, r.activities, undefined) &&
    passes(f.eventType, r.eventTypes, undefined) &&
    passes(f.interferenceType, r.interferenceTypes, undefined) &&
    passes(f.targetOwner, r.targetOwners, undefined)
  );
}

function authorizingNotification(
  f: ObservationFacts,
  ctx: RuleContext,
): PriorNotification | undefined {
  const party = f.party ?? f.side;
  if (party === null || party === undefined) return undefined;
  return ctx.notifications.find(
    (n) =>
      n.party === party &&
      f.observedAtMs >= n.fromMs &&
      f.observedAtMs < n.toMs &&
      (!n.classes || (f.class !== undefined && n.classes.includes(f.class))) &&
      (!n.eventTypes || (f.eventType !== undefined && n.eventTypes.includes(f.eventType))) &&
      (!n.zones || n.zones.some((z) => f.inside.includes(z))),
  );
}

/**
 * Applies every rule to one observation. A rule makes a finding when the observation's kind,
 * what it reports, its time and its position all match; the finding is `certain` when the whole
 * uncertainty region of the position is in the rule's zones (and outside its exception zones)
 * and `possible` when only part of it may be. A matching prior notification by the object's
 * party (or, if the object is not identified, the party whose side it is on) authorizes the
 * activity for notifiable rules: no finding, an authorization instead.
 */
export function evaluateRules(
  rules: CompiledRuleSet,
  f: ObservationFacts,
  ctx: RuleContext,
): RuleEvaluation {
  const findings: Finding[] = [];
  const authorized: Authorization[] = [];
  let sectors: string[] | undefined;
  for (const r of rules.byKind.get(f.kind) ?? []) {
    if (!inWindow(r, f.observedAtMs) || !whatMatches(r, f)) continue;
    const hits: string[] = [];
    const where = whereTri(r, f, ctx, hits);
    if (where === F) continue;
    if (r.rule.notifiable !== false) {
      const n = authorizingNotification(f, ctx);
      if (n) {
        authorized.push({ ruleId: r.rule.id, notificationId: n.id });
        continue;
      }
    }
    findings.push({
      ruleId: r.rule.id,
      severity: r.rule.severity,
      certainty: where === T ? 'certain' : 'possible',
      sensorId: f.sensorId,
      observationId: f.observationId,
      observedAtMs: f.observedAtMs,
      lon: f.lon,
      lat: f.lat,
      radiusM: f.radiusM,
      zones: hits,
      sectors: (sectors ??= [...f.inside, ...f.possiblyInside].filter(
        (z) => ctx.zoneKinds.get(z) === 'sector',
      )),
      ...(f.class !== undefined && { class: f.class }),
      ...(f.eventType !== undefined && { eventType: f.eventType }),
      ...(f.interferenceType !== undefined && { interferenceType: f.interferenceType }),
      ...(f.party !== undefined && { party: f.party }),
      count: f.count,
    });
  }
  return { findings, authorized };
}
