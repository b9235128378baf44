import type { Translate } from '../i18n.js';

/** A person as their last sign-in named them; all null before their first sign-in. */
export interface NamedPerson {
  subject: string;
  name: string | null;
  email: string | null;
  lastSignInAt: string | null;
}

/** How a person is named in a sentence: their name, else their e-mail, else their subject. */
export const personWords = (p: NamedPerson): string => p.name ?? p.email ?? p.subject;

/**
 * A staff member by name and e-mail from their last sign-in, their subject beneath; before a
 * first sign-in, the subject with a "not signed in yet" marker.
 */
export function PersonLabel(props: { person: NamedPerson; t: Translate }) {
  const { person: p, t } = props;
  return (
    <span className="person-label">
      {p.name !== null && <strong>{p.name}</strong>}
      {p.email !== null && <span>{p.email}</span>}
      <span className="mono person-subject">{p.subject}</span>
      {p.lastSignInAt === null && <span className="status">{t('people.notSignedIn')}</span>}
    </span>
  );
}
