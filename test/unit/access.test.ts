import { actorOf, Principal, requireAgencyOf, requireRegion, seesHospital, seesRegion } from '../../src/domain/access';

const agency: Principal = { userId: 'u1', username: 'zibo', role: 'agency', region: '370300', hospital: null };
const hospital: Principal = { userId: 'u2', username: 'h001', role: 'hospital', region: '370300', hospital: 'H001' };
const expert: Principal = { userId: 'u3', username: 'dr-li', role: 'expert', region: '370300', hospital: 'H001' };

describe('access rules', () => {
  it('an agency user sees every hospital of its region and nothing of another', () => {
    expect([seesHospital(agency, 'H001', '370300'), seesHospital(agency, 'H002', '370300'), seesHospital(agency, 'H9', '370500')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(() => requireAgencyOf(agency, '370300')).not.toThrow();
    expect(() => requireAgencyOf(agency, '370500')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('a hospital user sees only its own hospital, and its region only to read what is published', () => {
    expect([seesHospital(hospital, 'H001', '370300'), seesHospital(hospital, 'H002', '370300')]).toEqual([true, false]);
    expect(seesRegion(hospital, '370300')).toBe(true);
    expect(() => requireRegion(hospital, '370500')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => requireAgencyOf(hospital, '370300')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('an expert sees no hospital and no region (only assigned special cases, issue 13)', () => {
    expect([seesHospital(expert, 'H001', '370300'), seesRegion(expert, '370300')]).toEqual([false, false]);
  });

  it('the actor names role and user', () => {
    expect(actorOf(hospital)).toBe('hospital:h001');
  });
});
