import { describe, expect, it } from 'vitest';
import { demoPeople } from '@sidep-gateway/demo/people.js';
import { ROLES } from '../../gateway/src/auth/rbac.js';

describe('the demo people', () => {
  it('give every role an account with MFA, and name each account without MFA as such', () => {
    const people = demoPeople();
    for (const role of ROLES) expect(people.some((p) => p.mfa && p.roles.includes(role)), role).toBe(true);
    const withoutMfa = people.filter((p) => !p.mfa).map((p) => p.username);
    expect(withoutMfa).toEqual(expect.arrayContaining(['pharmacien-sans-mfa', 'admin-sans-mfa']));
    for (const username of withoutMfa) expect(username).toMatch(/-sans-mfa$/);
  });
});
