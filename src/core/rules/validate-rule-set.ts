import { nonFiniteErrors, schemaErrors } from '../errors/index.js';
import type { PathError } from '../errors/index.js';
import { parseRfc3339 } from '../observations/index.js';
import type { ObservationVocabulary } from '../observations/index.js';
import { RuleSetSchema } from './rule-schema.js';
import type { Rule, RuleSet } from './rule-schema.js';

/** The outcome of validating a rule set. */
export type RuleSetValidation = { ok: true; ruleSet: RuleSet } | { ok: false; errors: PathError[] };

/** What a rule set is checked against besides its own shape. */
export interface RuleSetReferences {
  /** Terms observations may use. */
  readonly vocabulary: ObservationVocabulary;
  /** Ids of the zones of the zone spec, if the rules are to be checked against it. */
  readonly zoneIds?: ReadonlySet<string>;
}

function checkTerms(
  list: readonly string[] | undefined,
  terms: ReadonlySet<string> | undefined,
  path: string,
  what: string,
  errors: PathError[],
): void {
  if (!list || !terms) return;
  list.forEach((t, i) => {
    if (!terms.has(t)) {
      errors.push({
        path: `${path}/${i}`,
        code: what === 'zone' ? 'UNKNOWN_ZONE' : 'UNKNOWN_TERM',
        message: `'${t}' is not a known ${what}`,
      });
    }
  });
}

function checkWindow(rule: Rule, path: string, errors: PathError[]): void {
  const w = rule.window;
  if (!w) return;
  const from = w.from === undefined ? -Infinity : parseRfc3339(w.from);
  const to = w.to === undefined ? Infinity : parseRfc3339(w.to);
  for (const [key, ms] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (Number.isNaN(ms)) {
      errors.push({
        path: `${path}/window/${key}`,
        code: 'INVALID_TIME',
        message: 'not an RFC 3339 date-time with a time zone',
      });
    }
  }
  if (from >= to) {
    errors.push({
      path: `${path}/window/to`,
      code: 'INVALID_INTERVAL',
      message: 'the window ends before it starts',
    });
  }
}

/**
 * Validates a rule set (already parsed from JSON): its shape, unique rule ids, windows, and that
 * the zones, classes and types it names exist. Returns the typed rule set or every error with
 * its JSON Pointer.
 */
export function validateRuleSet(value: unknown, refs: RuleSetReferences): RuleSetValidation {
  const notFinite = nonFiniteErrors(value, '');
  if (notFinite.length > 0) return { ok: false, errors: notFinite };
  const errors = schemaErrors(RuleSetSchema, value, '');
  if (errors.length > 0) return { ok: false, errors };
  const ruleSet = value as RuleSet;
  const seen = new Set<string>();
  const v = refs.vocabulary;
  ruleSet.rules.forEach((rule, i) => {
    const path = `/rules/${i}`;
    if (seen.has(rule.id)) {
      errors.push({
        path: `${path}/id`,
        code: 'DUPLICATE_ID',
        message: `rule id '${rule.id}' is used twice`,
      });
    }
    seen.add(rule.id);
    checkTerms(rule.zones, refs.zoneIds, `${path}/zones`, 'zone', errors);
    checkTerms(rule.exceptZones, refs.zoneIds, `${path}/exceptZones`, 'zone', errors);
    checkTerms(rule.classes, v.classes, `${path}/classes`, 'class', errors);
    checkTerms(rule.exceptClasses, v.classes, `${path}/exceptClasses`, 'class', errors);
    checkTerms(rule.eventTypes, v.eventTypes, `${path}/eventTypes`, 'event type', errors);
    checkTerms(
      rule.interferenceTypes,
      v.interferenceTypes,
      `${path}/interferenceTypes`,
      'interference type',
      errors,
    );
    checkWindow(rule, path, errors);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, ruleSet };
}
