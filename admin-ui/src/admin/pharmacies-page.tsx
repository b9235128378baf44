import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { useLoad } from './use-load.js';

/** `GET /admin/pharmacies`: pharmacies in the person's scope and their certificates. */
export interface PharmacyRow {
  id: string;
  finess: string;
  name: string;
  active: boolean;
  certificates: { fingerprint: string; origin: string; notAfter: string; revokedAt: string | null; revocationReason: string | null }[];
}

const DAY_MS = 86_400_000;
const WARN_DAYS = 30;

/** Pharmacies with each certificate's expiry; changes are made with `gateway pharmacy` / `gateway cert`. */
export function PharmaciesPage() {
  const { t, language } = useI18n();
  const { data, failure } = useLoad<{ items: PharmacyRow[] }>('/admin/pharmacies');
  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  const date = (iso: string) => new Date(iso).toLocaleDateString(language === 'fr' ? 'fr-FR' : 'en-GB');
  return (
    <>
      <h1>{t('pharmacies.title')}</h1>
      <p className="note">{t('pharmacies.cli')}</p>
      <table>
        <thead>
          <tr><th scope="col">{t('results.pharmacy')}</th><th scope="col">FINESS</th><th scope="col">{t('results.status')}</th><th scope="col">{t('pharmacies.certificates')}</th></tr>
        </thead>
        <tbody>
          {data.items.map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td className="mono">{p.finess}</td>
              <td>{t(p.active ? 'pharmacies.active' : 'pharmacies.inactive')}</td>
              <td>
                <ul className="certificates">
                  {p.certificates.map((c) => {
                    const days = Math.floor((Date.parse(c.notAfter) - Date.now()) / DAY_MS);
                    const state = c.revokedAt ? 'revoked' : days < 0 ? 'expired' : days < WARN_DAYS ? 'expiring' : 'valid';
                    return (
                      <li key={c.fingerprint} className={`cert-${state}`}>
                        <code>{c.fingerprint.slice(0, 16)}</code> — {t(`pharmacies.cert.${state}`, { date: date(c.revokedAt ?? c.notAfter), days })}
                      </li>
                    );
                  })}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
