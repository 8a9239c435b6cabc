/** Three-valued truth for regions: false, true, or unknown (true for part of the region). */
export type Tri = 0 | 1 | 2;

/** Definitely false everywhere in the region. */
export const FALSE: Tri = 0;
/** Definitely true everywhere in the region. */
export const TRUE: Tri = 1;
/** True somewhere and false elsewhere, or not decided. */
export const UNKNOWN: Tri = 2;

/** A zone's membership as a boolean expression over primitive predicates (by index). */
export type Expr = number | { and: Expr[] } | { or: Expr[] } | { not: Expr };

/** Evaluates an expression in Kleene's three-valued logic given the values of its primitives. */
export function evaluateExpr(expr: Expr, values: ArrayLike<number>): Tri {
  if (typeof expr === 'number') return values[expr] as Tri;
  if ('not' in expr) {
    const v = evaluateExpr(expr.not, values);
    return v === UNKNOWN ? UNKNOWN : v === TRUE ? FALSE : TRUE;
  }
  if ('and' in expr) {
    let result: Tri = TRUE;
    for (const e of expr.and) {
      const v = evaluateExpr(e, values);
      if (v === FALSE) return FALSE;
      if (v === UNKNOWN) result = UNKNOWN;
    }
    return result;
  }
  let result: Tri = FALSE;
  for (const e of expr.or) {
    const v = evaluateExpr(e, values);
    if (v === TRUE) return TRUE;
    if (v === UNKNOWN) result = UNKNOWN;
  }
  return result;
}

/** Collects the primitive indices an expression uses. */
export function primitivesOf(expr: Expr, into: Set<number> = new Set()): Set<number> {
  if (typeof expr === 'number') into.add(expr);
  else if ('not' in expr) primitivesOf(expr.not, into);
  else for (const e of 'and' in expr ? expr.and : expr.or) primitivesOf(e, into);
  return into;
}
