export {
  MergeSchema,
  RuleSchema,
  RuleSetSchema,
  RuleWindowSchema,
  SEVERITIES,
} from './rule-schema.js';
export type { Rule, RuleSet, Severity } from './rule-schema.js';
export { compileRuleSet, evaluateRules } from './evaluate-rules.js';
export type {
  Authorization,
  Certainty,
  CompiledRuleSet,
  Finding,
  ObservationFacts,
  PriorNotification,
  RuleContext,
  RuleEvaluation,
} from './evaluate-rules.js';
export { validateRuleSet } from './validate-rule-set.js';
export type { RuleSetReferences, RuleSetValidation } from './validate-rule-set.js';
