import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../src/sim/index.js';
import { demoSpec, readJson } from './support.js';

const spec = demoSpec();
const short = () =>
  structuredClone(readJson('test/sim/fixtures/short-scenario.json')) as Record<
    string,
    // The tests poke at arbitrary places of the document.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    any
  >;

function errorsOf(value: unknown, withSpec = true) {
  const v = validateScenario(value, withSpec ? spec : undefined);
  if (v.ok) throw new Error('expected the scenario to be rejected');
  return v.errors.map((e) => `${e.path} ${e.code}`);
}

describe('validateScenario', () => {
  it('accepts the examples and the test fixture', () => {
    expect(validateScenario(readJson('examples/scenarios/notional-day.json'), spec).ok).toBe(true);
    expect(validateScenario(short(), spec).ok).toBe(true);
  });

  it('rejects what is not a scenario at all', () => {
    expect(errorsOf(null)).toContain(' SCHEMA');
    expect(errorsOf([])).toContain(' SCHEMA');
  });

  it('names a missing required field and a field of the wrong type by path', () => {
    const s = short();
    delete s.name;
    s.durationS = 'long';
    s.sensors.cameras[0].rangeM = -5;
    const errors = errorsOf(s);
    expect(errors).toContain(' SCHEMA');
    expect(errors).toContain('/durationS SCHEMA');
    expect(errors).toContain('/sensors/cameras/0/rangeM SCHEMA');
  });

  it('rejects unknown fields and NaN-like numbers', () => {
    const s = short();
    s.sensors.cameras[0].colour = 'red';
    expect(errorsOf(s)).toContain('/sensors/cameras/0 SCHEMA');
    const t = short();
    t.durationS = Infinity;
    expect(errorsOf(t)).toEqual(['/durationS NOT_FINITE']);
  });

  it('requires a place to take exactly one form', () => {
    const s = short();
    s.sensors.cameras[1].at[0] = { lon: 36, lat: 48, alongKm: 440 };
    s.sensors.cameras[1].at[1] = { lon: 36 };
    s.violations.forces[0].at = { alongKm: 440, distanceKm: 5 };
    s.violations.forces[0].moveTo = {};
    expect(errorsOf(s)).toEqual([
      '/sensors/cameras/1/at/0 INVALID_INPUT',
      '/sensors/cameras/1/at/1 MISSING_FIELD',
      '/violations/forces/0/at/side MISSING_FIELD',
      '/violations/forces/0/moveTo INVALID_INPUT',
    ]);
  });

  it('requires exactly one of at and spread for fixed sensors', () => {
    const s = short();
    delete s.sensors.cameras[2].at;
    s.sensors.cameras[0].spread = {
      fromKm: 0,
      toKm: 10,
      count: 2,
      distanceKm: 1,
      sides: ['UKR'],
    };
    expect(errorsOf(s)).toEqual([
      '/sensors/cameras/0 INVALID_INPUT',
      '/sensors/cameras/2 MISSING_FIELD',
    ]);
  });

  it('rejects duplicate sensor and violation ids, including generated ones', () => {
    const s = short();
    s.sensors.cameras[0].id = 'cam-b-01';
    s.violations.fire[0].id = 'v-dmz';
    expect(errorsOf(s)).toEqual([
      '/sensors/cameras/1/id DUPLICATE_ID',
      '/violations/fire/0/id DUPLICATE_ID',
    ]);
  });

  it('rejects unknown classes, event types and interference types', () => {
    const s = short();
    s.violations.forces[0].class = 'battleship';
    s.violations.fire[0].eventType = 'thunder';
    s.violations.interference[0].type = 'sabotage';
    s.background.forces[0].class = 'dragon';
    expect(errorsOf(s)).toEqual([
      '/background/forces/0/class UNKNOWN_TERM',
      '/violations/forces/0/class UNKNOWN_TERM',
      '/violations/fire/0/eventType UNKNOWN_TERM',
      '/violations/interference/0/type UNKNOWN_TERM',
    ]);
  });

  it('rejects reversed ranges and times outside the scenario', () => {
    const s = short();
    s.background.forces[0].distanceKm = { min: 30, max: 23 };
    s.noise = { camera: { latencyS: { min: 5, max: 1 } } };
    s.violations.fire[0].startS = 7200;
    s.outages[0].startS = 9000;
    expect(errorsOf(s)).toEqual([
      '/background/forces/0/distanceKm/min INVALID_RANGE',
      '/noise/camera/latencyS/min INVALID_RANGE',
      '/violations/fire/0/startS INVALID_RANGE',
      '/outages/0/startS INVALID_RANGE',
    ]);
  });

  it('rejects references to sensors the scenario does not have', () => {
    const s = short();
    s.violations.interference[0].target = 'cam-z';
    s.violations.interference[1].reporter = 'nobody';
    s.outages[0].sensor = 'ghost';
    expect(errorsOf(s)).toEqual([
      '/violations/interference/0/target UNKNOWN_SENSOR',
      '/violations/interference/1/reporter UNKNOWN_SENSOR',
      '/outages/0/sensor UNKNOWN_SENSOR',
    ]);
  });

  it('checks zones and parties against the zone spec when given one', () => {
    const s = short();
    s.violations.forces[0].zone = 'atlantis';
    s.violations.forces[1].party = 'NATO';
    s.sensors.cameras[0].at[0] = { zone: 'dmz' };
    s.background.traffic[0].crossings = ['crossing-99'];
    s.sensors.cameras[1].at[0].side = 'nobody';
    const errors = errorsOf(s);
    expect(errors).toEqual([
      '/sensors/cameras/0/at/0/zone INVALID_INPUT',
      '/sensors/cameras/1/at/0/side UNKNOWN_PARTY',
      '/background/traffic/0/crossings/0 UNKNOWN_ZONE',
      '/violations/forces/0/zone UNKNOWN_ZONE',
      '/violations/forces/1/party UNKNOWN_PARTY',
    ]);
    expect(validateScenario(s).ok).toBe(true);
  });
});
