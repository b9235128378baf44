import { useEffect, useState, type ReactNode } from 'react';
import { call, rememberCsrfToken, signOut, takeReturnTo, type Capability, type Me } from './api.js';
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
import { AuditPage } from './admin/audit-page.js';
import { KeysPage } from './admin/keys-page.js';

interface Page {
  path: string;
  label: MessageKey;
  capability: Capability;
  render: (me: Me, can: (c: Capability) => boolean) => ReactNode;
}

const PAGES: Page[] = [
  { path: '/counter', label: 'nav.counter', capability: 'enter-results', render: (me) => <CounterPage me={me} /> },
  { path: '/overview', label: 'nav.overview', capability: 'overview', render: () => <OverviewPage /> },
  { path: '/dead-letters', label: 'nav.deadLetters', capability: 'read-dead-letters', render: (_, can) => <DeadLettersPage canRedrive={can('redrive')} /> },
  { path: '/results', label: 'nav.results', capability: 'search-results', render: (_, can) => <ResultsPage canReveal={can('reveal')} /> },
  { path: '/statistics', label: 'nav.statistics', capability: 'statistics', render: () => <StatisticsPage /> },
  // adding and deactivating pharmacies, and chain roles, are chain-wide rights (the server checks them)
  { path: '/pharmacies', label: 'nav.pharmacies', capability: 'certificates', render: (me) => <PharmaciesPage canManagePharmacies={me.roles.includes('chain-admin')} /> },
  { path: '/enrolments', label: 'nav.enrolments', capability: 'enrolments', render: (me) => <EnrolmentsPage chainWide={me.roles.includes('chain-admin')} /> },
  { path: '/system', label: 'nav.system', capability: 'system', render: () => <SystemPage /> },
  { path: '/keys', label: 'nav.keys', capability: 'key-status', render: (_, can) => <KeysPage canChange={can('rotate-keys')} /> },
  { path: '/audit', label: 'nav.audit', capability: 'audit', render: () => <AuditPage /> },
];

const LANGUAGE_KEY = 'sidep-gateway.language';

/** The shell: who is signed in, the pages their roles open, the language switch. */
export function App() {
  const [language, setLanguage] = useState<Language>(() => (localStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'fr'));
  const [me, setMe] = useState<Me | undefined>();
  const [capabilities, setCapabilities] = useState<Capability[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const route = useRoute();

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = translator(language)('app.title');
    localStorage.setItem(LANGUAGE_KEY, language);
  }, [language]);

  useEffect(() => {
    Promise.all([call<Me>('GET', '/me'), call<{ capabilities: Capability[] }>('GET', '/admin/capabilities')])
      .then(([m, c]) => {
        rememberCsrfToken(m.csrfToken);
        setCapabilities(c.capabilities);
        setMe(m);
        const back = takeReturnTo();
        if (back) window.location.hash = back;
      })
      .catch(setFailure);
  }, []);

  return (
    <I18nProvider language={language}>
      <Shell me={me} capabilities={capabilities} route={route} failure={failure} onLanguage={() => setLanguage(language === 'fr' ? 'en' : 'fr')} />
    </I18nProvider>
  );
}

function Shell(props: { me: Me | undefined; capabilities: Capability[]; route: string; failure: unknown; onLanguage: () => void }) {
  const { t } = useI18n();
  const { me, route } = props;
  const can = (c: Capability) => props.capabilities.includes(c);
  const open = me ? PAGES.filter((p) => can(p.capability)) : [];
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
        {props.failure ? <ProblemMessage error={props.failure} /> : !me ? <p>{t('app.loading')}</p> : page ? page.render(me, can) : <p role="alert">{t('app.forbidden')}</p>}
      </main>
    </>
  );
}
