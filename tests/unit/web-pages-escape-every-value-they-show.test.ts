import { describe, expect, it } from 'vitest';
import { breakGlassPage, issuerChoicePage, refusalPage } from '../../gateway/src/web/pages.js';

const HOSTILE = '"><script>alert(1)</script>';

describe('web pages', () => {
  it('escape an identity provider id in the choice page, in the link and its text', async () => {
    const page = String(await issuerChoicePage(['psc', HOSTILE]));
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('<a href="/auth/login?issuer=psc">Pro Santé Connect</a>');
  });

  it('escape the token the break-glass form carries', async () => {
    const page = String(await breakGlassPage(HOSTILE));
    expect(page).not.toContain('<script>');
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;');
  });

  it('keep the markup of their own texts', async () => {
    const page = String(await refusalPage('login-state-invalid'));
    expect(page).toContain('<a href="/">Recommencer</a>');
    expect(page).toContain('<title>Connexion expirée</title>');
  });
});
