import { useEffect, useState, type ReactNode } from 'react';
import type { Me } from '../../gateway/src/api-types.js';
import type { Capability } from '../../gateway/src/auth/rbac.js';
import { call, rememberCsrfToken, signOut, takeReturnTo } from './api.js';
import { I18nProvider, translator, useI18n, type Language, type MessageKey } from './i18n.js';
import { useRoute } from './router.js';
import { ProblemMessage } from './problem-message.js';
import { CounterPage } from './counter/counter-page.js';
import { OverviewPage } from './admin/overview-page.js';
import { DeadLettersPage } from './admin/dead-letters-page.js';
import { ResultsPage } from './admin/results-page.js';
import { StatisticsPage } from './admin/statistics-page.js';
import { SystemPage } from './admin/system-page.js';
import { PharmaciesPage } from './admin/pharmacies-page.js';
import { EnrolmentsPage } from './admin/enrolments-page.js';
import { AccessReviewPage } from './admin/access-review-page.js';
import { AuditPage } from './admin/audit-page.js';
import { KeysPage } from './admin/keys-page.js';
import { SubjectsPage } from './admin/subjects-page.js';
import { WebhooksPage } from './admin/webhooks-page.js';

interface Page {
  path: string;
  label: MessageKey;
  /** The right that opens the page (`GET /me`'s capabilities); the server checks each call. */
  capability: Capability;
  render: (me: Me) => ReactNode;
}

const PAGES: Page[] = [
  { path: '/counter', label: 'nav.counter', capability: 'results', render: (me) => <CounterPage me={me} /> },
  { path: '/overview', label: 'nav.overview', capability: 'key-status', render: () => <OverviewPage /> },
  { path: '/dead-letters', label: 'nav.deadLetters', capability: 'redrive', render: () => <DeadLettersPage /> },
  { path: '/results', label: 'nav.results', capability: 'receipts', render: (me) => <ResultsPage canReveal={me.capabilities.reveal !== undefined} /> },
  { path: '/statistics', label: 'nav.statistics', capability: 'statistics', render: () => <StatisticsPage /> },
  // adding and deactivating pharmacies, and chain roles, need the enrolments right chain-wide (the server checks them)
  { path: '/pharmacies', label: 'nav.pharmacies', capability: 'certificates', render: (me) => <PharmaciesPage canManagePharmacies={me.capabilities.enrolments === 'all'} /> },
  // status callbacks go with certificates (DESIGN.md); only chain admins allow-list networks
  { path: '/webhooks', label: 'nav.webhooks', capability: 'certificates', render: (me) => <WebhooksPage chainWide={me.capabilities.certificates === 'all'} /> },
  { path: '/enrolments', label: 'nav.enrolments', capability: 'enrolments', render: (me) => <EnrolmentsPage chainWide={me.capabilities.enrolments === 'all'} /> },
  { path: '/access-review', label: 'nav.access', capability: 'access-review', render: (me) => <AccessReviewPage canChange={me.capabilities.enrolments !== undefined} /> },
  { path: '/system', label: 'nav.system', capability: 'key-status', render: () => <SystemPage /> },
  { path: '/keys', label: 'nav.keys', capability: 'key-status', render: (me) => <KeysPage canChange={me.capabilities.keys !== undefined} /> },
  { path: '/audit', label: 'nav.audit', capability: 'audit', render: () => <AuditPage /> },
  { path: '/subjects', label: 'nav.subjects', capability: 'data-subjects', render: () => <SubjectsPage /> },
];

const LANGUAGE_KEY = 'sidep-gateway.language';

/** The shell: who is signed in, the pages their roles open, the language switch. */
export function App() {
  const [language, setLanguage] = useState<Language>(() => (localStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'fr'));
  const [me, setMe] = useState<Me | undefined>();
  const [failure, setFailure] = useState<unknown>();
  const route = useRoute();

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = translator(language)('app.title');
    localStorage.setItem(LANGUAGE_KEY, language);
  }, [language]);

  useEffect(() => {
    call<Me>('GET', '/me')
      .then((m) => {
        rememberCsrfToken(m.csrfToken);
        setMe(m);
        const back = takeReturnTo();
        if (back) window.location.hash = back;
      })
      .catch(setFailure);
  }, []);

  return (
    <I18nProvider language={language}>
      <Shell me={me} route={route} failure={failure} onLanguage={() => setLanguage(language === 'fr' ? 'en' : 'fr')} />
    </I18nProvider>
  );
}

function Shell(props: { me: Me | undefined; route: string; failure: unknown; onLanguage: () => void }) {
  const { t } = useI18n();
  const { me, route } = props;
  const open = me ? PAGES.filter((p) => me.capabilities[p.capability] !== undefined) : [];
  const page = open.find((p) => p.path === route) ?? (route === '/' ? open[0] : undefined);

  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('app.skip')}</a>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('app.title')}>
          {open.map((p) => (
            <a key={p.path} href={`#${p.path}`} aria-current={p === page ? 'page' : undefined}>{t(p.label)}</a>
          ))}
        </nav>
        <span className="who">{me?.user.subject}</span>
        <button type="button" className="link" onClick={props.onLanguage} lang={t('app.language') === 'English' ? 'en' : 'fr'}>{t('app.language')}</button>
        {me && <button type="button" className="link" onClick={() => void signOut()}>{t('app.signOut')}</button>}
      </header>
      <main id="main" tabIndex={-1}>
        {props.failure ? <ProblemMessage error={props.failure} /> : !me ? <p>{t('app.loading')}</p> : page ? page.render(me) : <p role="alert">{t('app.forbidden')}</p>}
      </main>
    </>
  );
}
