/** Who is asking: an API key (later also a user session), with its role. */
export interface Principal {
  /** Key or user id (never the secret). */
  readonly id: string;
  /** Role. */
  readonly role: 'admin' | 'sensor' | 'reader';
  /** For sensor keys: the sensors it may report for (absent: any). */
  readonly sensorIds?: readonly string[];
}

/** The actions the policy decides. */
export type Action =
  | 'observations:write'
  | 'observations:read'
  | 'incidents:read'
  | 'incidents:review'
  | 'sensors:read'
  | 'sensors:write'
  | 'zones:read'
  | 'zones:write'
  | 'rules:read'
  | 'rules:write'
  | 'status:read';

/**
 * The one policy point every use case asks before it reads or writes. Releasability (markings
 * per record, A2/A3) will be decided here too, through `visible`, so no read path can bypass it.
 */
export interface AccessPolicy {
  /** Whether the principal may perform the action at all. */
  can(principal: Principal, action: Action): boolean;
  /** The subset of records of one kind the principal may see, in the same order. */
  visible<T>(principal: Principal, kind: 'observation' | 'incident' | 'sensor', records: T[]): T[];
}

const ROLE_ACTIONS: Readonly<Record<Principal['role'], ReadonlySet<Action>>> = {
  admin: new Set<Action>([
    'observations:write',
    'observations:read',
    'incidents:read',
    'incidents:review',
    'sensors:read',
    'sensors:write',
    'zones:read',
    'zones:write',
    'rules:read',
    'rules:write',
    'status:read',
  ]),
  sensor: new Set<Action>(['observations:write', 'zones:read', 'status:read']),
  reader: new Set<Action>([
    'observations:read',
    'incidents:read',
    'sensors:read',
    'zones:read',
    'rules:read',
    'status:read',
  ]),
};

/**
 * The role-based policy of the embedded deployment: admins do everything, sensor keys post
 * observations, readers read. Every record is visible to whoever may read its kind.
 */
export function createRolePolicy(): AccessPolicy {
  return {
    can: (principal, action) => ROLE_ACTIONS[principal.role].has(action),
    visible: (_principal, _kind, records) => records,
  };
}
