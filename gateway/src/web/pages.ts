import { html } from 'hono/html';
import type { SignInRefusal } from '../auth/oidc.js';

/** An HTML fragment: every value interpolated into `html` is escaped, only its literal text is markup. */
type Html = ReturnType<typeof html>;

/** Plain HTML pages of the sign-in flow: no script, no inline style (the CSP forbids both). */
function page(title: string, body: Html, refresh?: string): Html {
  return html`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
${refresh ? html`<meta http-equiv="refresh" content="0;url=${refresh}">` : ''}<title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>
`;
}

const REFUSALS: Record<SignInRefusal, { title: string; text: Html }> = {
  'mfa-required': {
    title: 'Authentification forte requise',
    text: html`Votre rôle exige une authentification multifacteur (carte CPS, e-CPS ou second facteur de votre fournisseur d'identité) : un mot de passe seul ne suffit pas. Reconnectez-vous avec un second facteur. / Your role requires multi-factor authentication: a password alone is not enough.`,
  },
  'acr-too-low': {
    title: "Niveau d'authentification insuffisant",
    text: html`Le fournisseur d'identité n'a pas certifié le niveau d'authentification requis. / The identity provider did not certify the required authentication level.`,
  },
  'no-enrolment': {
    title: 'Accès non autorisé',
    text: html`Aucune habilitation active ne correspond à votre identité (ou vos attributs professionnels ne la confirment pas). Demandez-la à l'administrateur de votre chaîne. / No active enrolment matches your identity.`,
  },
  'claims-missing': {
    title: 'Identité incomplète',
    text: html`Le fournisseur d'identité n'a pas transmis les informations nécessaires. / The identity provider did not send the required claims.`,
  },
  'login-state-invalid': {
    title: 'Connexion expirée',
    text: html`Cette tentative de connexion a expiré ou provient d'un autre navigateur. <a href="/">Recommencer</a>. / This sign-in expired or came from another browser.`,
  },
  'provider-error': {
    title: "Fournisseur d'identité indisponible",
    text: html`La connexion auprès du fournisseur d'identité a échoué. Réessayez plus tard. / Sign-in at the identity provider failed.`,
  },
};

export const refusalPage = (reason: SignInRefusal): Html => page(REFUSALS[reason].title, html`<p>${REFUSALS[reason].text}</p><p><a href="/">Accueil</a></p>`);

/**
 * After the callback: a same-site navigation to the UI. A redirect would continue the provider's
 * cross-site navigation, and the browser would withhold the SameSite=Strict session cookie.
 */
export const signedInPage = (): Html => page('Connexion réussie', html`<p><a href="/">Continuer</a></p>`, '/');

export const signedOutPage = (): Html => page('Déconnecté', html`<p>Vous êtes déconnecté. / You are signed out.</p><p><a href="/">Accueil</a></p>`);

/** Break-glass: a button, so that a link scanner or prefetch cannot spend the single-use link. */
export const breakGlassPage = (token: string): Html =>
  page(
    'Accès de secours / Break-glass access',
    html`<p>Lien à usage unique créé par <code>gateway admin login-link</code> ; son utilisation est journalisée.</p>
<form method="post" action="/auth/break-glass"><input type="hidden" name="token" value="${token}"><button type="submit">Ouvrir une session d'administration</button></form>`,
  );

/** Several identity providers: the person picks one (ids are `[a-z0-9-]`, from settings). */
export const issuerChoicePage = (ids: readonly string[]): Html =>
  page('Connexion / Sign in', html`<ul>${ids.map((i) => html`<li><a href="/auth/login?issuer=${encodeURIComponent(i)}">${i === 'psc' ? 'Pro Santé Connect' : i}</a></li>`)}</ul>`);
