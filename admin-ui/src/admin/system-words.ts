import type { Language } from '../i18n.js';

type Words = readonly [fr: string, en: string];
const pick = (w: Words, language: Language) => (language === 'fr' ? w[0] : w[1]);

/** What each check of the system page looks at (`admin/system-summary.ts` runs them). */
const CHECK_WORDS: Readonly<Record<string, Words>> = {
  'tls.intake': ['Certificat du serveur de réception', 'Intake server certificate'],
  'tls.pharmacy-ca': ['Autorité des certificats des pharmacies', 'Pharmacy certificate authority'],
  'tls.sidep-client': ['Certificat client vers SI-DEP', 'Client certificate towards SI-DEP'],
  'tls.sidep-ca': ['Autorité du serveur SI-DEP', 'SI-DEP server authority'],
  'tls.metrics': ['Certificat des métriques', 'Metrics certificate'],
  'tls.web': ['Certificat du site d’administration', 'Administration site certificate'],
  'tls.vault-ca': ['Autorité du gestionnaire de clés', 'Key manager authority'],
  'database.reachable': ['Connexion à la base', 'Database connection'],
  'database.tls': ['Chiffrement de la connexion à la base', 'Database connection encryption'],
  'database.migrations': ['Version du schéma de la base', 'Database schema version'],
  'database.role': ['Droits du rôle de la base', 'Database role rights'],
  'database.queries': ['Requêtes de contrôle', 'Check queries'],
  'clock.skew': ['Horloge', 'Clock'],
  'outbox.backlog': ['File d’envoi vers SI-DEP', 'Queue towards SI-DEP'],
  'audit.sealing': ['Scellement du journal d’audit', 'Audit log sealing'],
  'audit.sink': ['Copie externe du journal d’audit', 'Audit log external copy'],
  'backup.last-success': ['Dernière sauvegarde', 'Last backup'],
  'key-manager.available': ['Gestionnaire de clés', 'Key manager'],
};

const frPlural = (n: string, one: string, other: string) => (new Intl.PluralRules('fr').select(Number(n)) === 'one' ? one : other);

/** The doctor's sentences (English, for the command line) said in French, values kept. */
const FRENCH: readonly (readonly [RegExp, (m: string[]) => string])[] = [
  [/^(\S+): valid for (\d+) more days(, key matches)?$/, (m) => `${m[1]} : valable encore ${m[2]} jours${m[3] ? ', la clé correspond' : ''}`],
  [/^(\S+): expires in (\d+) day\(s\)$/, (m) => `${m[1]} : expire dans ${m[2]} ${frPlural(m[2] as string, 'jour', 'jours')}`],
  [/^(\S+): expired (\d+) day\(s\) ago$/, (m) => `${m[1]} : expiré depuis ${m[2]} ${frPlural(m[2] as string, 'jour', 'jours')}`],
  [/^(\S+): a certificate is not valid yet$/, (m) => `${m[1]} : un certificat n’est pas encore valable`],
  [/^(\S+): the key file does not match the certificate$/, (m) => `${m[1]} : la clé ne correspond pas au certificat`],
  [/^(\S+): no PEM certificate in the file$/, (m) => `${m[1]} : aucun certificat PEM dans le fichier`],
  [/^the connection is encrypted \(TLS\)$/, () => 'la connexion est chiffrée (TLS)'],
  [/^the connection is not encrypted$/, () => 'la connexion n’est pas chiffrée'],
  [/^connected as (\S+) to PostgreSQL (.+)$/, (m) => `connecté en tant que ${m[1]} à PostgreSQL ${m[2]}`],
  [/^not connected$/, () => 'pas de connexion à la base'],
  [/^all (\d+) migrations applied$/, (m) => `les ${m[1]} migrations sont appliquées`],
  [/^database at migration (\d+), this gateway ships (\d+)$/, (m) => `base à la migration ${m[1]}, cette passerelle apporte la ${m[2]}`],
  [/^the runtime role cannot read schema_migrations \(as intended\)$/, () => 'le rôle d’exécution ne lit pas schema_migrations (c’est voulu)'],
  [/^role (\S+) has least privilege \(no DDL, insert-only audit\)$/, (m) => `le rôle ${m[1]} n’a que les droits nécessaires (ni DDL, ni modification du journal d’audit)`],
  [/^within (\d+) s of Postgres$/, (m) => `à moins de ${m[1]} s de l’horloge de Postgres`],
  [/^this host and Postgres differ by ([\d.]+) s$/, (m) => `cet hôte et Postgres diffèrent de ${(m[1] as string).replace('.', ',')} s`],
  [/^(\d+) message\(s\) waiting$/, (m) => `${m[1]} ${frPlural(m[1] as string, 'message en attente', 'messages en attente')}`],
  [/^(\d+) message\(s\) waiting, the oldest for (\d+) min$/, (m) => `${m[1]} ${frPlural(m[1] as string, 'message en attente', 'messages en attente')}, le plus ancien depuis ${m[2]} min`],
  [
    /^oldest unsealed event (\d+) s, oldest checkpoint not copied outside (\d+) s \(limit (\d+) s\)$/,
    (m) => `plus ancien événement non scellé : ${m[1]} s ; plus ancien point de contrôle non copié à l’extérieur : ${m[2]} s (limite ${m[3]} s)`,
  ],
  [/^cannot read the seal state of the audit log$/, () => 'l’état du scellement du journal d’audit est illisible'],
  [/^(\d+) checkpoint\(s\) copied to (\S+)$/, (m) => `${m[1]} ${frPlural(m[1] as string, 'point de contrôle copié', 'points de contrôle copiés')} dans ${m[2]}`],
  [/^no successful database dump is recorded \(backup_runs\)$/, () => 'aucune sauvegarde réussie de la base n’est enregistrée (backup_runs)'],
  [
    /^last successful dump (.+) \((.+)\) finished ([\d.]+) h ago \(limit (\d+) h, the RPO: (\S+)\)$/,
    (m) => `dernière sauvegarde réussie ${m[1]} (${m[2]}), terminée il y a ${(m[3] as string).replace('.', ',')} h (limite ${m[4]} h, la perte de données admise : ${m[5]})`,
  ],
  [/^the last call or probe succeeded within 5 s$/, () => 'le dernier appel ou sondage a réussi il y a moins de 5 s'],
  [/^no successful call or probe for 5 s: intake and relay answer 503$/, () => 'aucun appel ni sondage réussi depuis 5 s : la réception et l’envoi vers SI-DEP sont suspendus'],
  // the fixes
  [/^renew the certificate \((\S+)\)$/, (m) => `renouvelez le certificat (${m[1]})`],
  [/^use sslmode=verify-full with the server CA in (\S+), and ssl=on in Postgres$/, (m) => `utilisez sslmode=verify-full avec l’autorité du serveur dans ${m[1]}, et ssl=on dans Postgres`],
  [/^pass --database-url with the owner role to check the applied migrations$/, () => 'passez --database-url avec le rôle propriétaire pour vérifier les migrations appliquées'],
  [/^run `gateway migrate` with the owner role$/, () => 'lancez « gateway migrate » avec le rôle propriétaire'],
  [/^synchronise both clocks with NTP \(chrony\)/, () => 'synchronisez les deux horloges avec NTP (chrony)'],
  [/^(?:the scheduled backup stopped or fails: )?run (\S+) on a schedule \(daily; (\S+)\) with the owner database URL, and check its output$/, (m) => `lancez ${m[1]} chaque jour (${m[2]}) avec l’adresse de la base du rôle propriétaire, et vérifiez sa sortie`],
  [/^check the key manager \(Vault\) and `gateway doctor`$/, () => 'vérifiez le gestionnaire de clés (Vault) et « gateway doctor »'],
  [/^sealing falls behind: check the gateway logs and the sink$/, () => 'le scellement prend du retard : vérifiez les journaux de la passerelle et la copie externe'],
];

/** What a check looks at, in words; an unknown check by its id. */
export function checkName(id: string, language: Language): string {
  return Object.hasOwn(CHECK_WORDS, id) ? pick(CHECK_WORDS[id] as Words, language) : id;
}

/**
 * A doctor's sentence (a finding or a fix) in the page's language, or undefined when French has
 * no words for it (an error message of Postgres or of the file system): the page then says so
 * and shows the original in English.
 */
export function checkSentence(text: string, language: Language): string | undefined {
  if (language === 'en') return text;
  for (const [pattern, say] of FRENCH) {
    const m = pattern.exec(text);
    if (m) return say([...m]);
  }
  return undefined;
}

/** The settings the system page shows, in words. */
const SETTING_WORDS: Readonly<Record<string, Words>> = {
  profile: ['Profil', 'Profile'],
  'intake.port': ['Port de réception', 'Intake port'],
  'intake.bodyLimitBytes': ['Taille maximale d’une requête (octets)', 'Largest request (bytes)'],
  'intake.ratePerSecond': ['Requêtes admises par seconde', 'Requests allowed per second'],
  'keyManager.kind': ['Gestionnaire de clés', 'Key manager'],
  'keyManager.dataKeyWindowMinutes': ['Durée d’une clé de données (minutes)', 'Data key lifetime (minutes)'],
  'sidep.origin': ['Adresse de SI-DEP', 'SI-DEP address'],
  'sidep.timeoutMs': ['Délai de réponse de SI-DEP (ms)', 'SI-DEP timeout (ms)'],
  'relay.enabled': ['Envoi vers SI-DEP actif', 'Delivery to SI-DEP on'],
  'relay.concurrency': ['Envois simultanés', 'Concurrent deliveries'],
  'relay.maxAttempts': ['Essais au plus', 'Attempts at most'],
  'relay.maxAgeHours': ['Délai d’envoi maximal (heures)', 'Delivery deadline (hours)'],
  'retention.deliveredDays': ['Conservation après transmission (jours)', 'Kept after delivery (days)'],
  'retention.deadLetteredDays': ['Conservation après rejet (jours)', 'Kept after a refusal (days)'],
  'validation.maxPastDays': ['Ancienneté maximale d’un test (jours)', 'Oldest test accepted (days)'],
  'validation.allowExtendedNir': ['NIR provisoires acceptés', 'Temporary NIRs accepted'],
  'devices.listVersion': ['Version de la liste des dispositifs', 'Device list version'],
};

const VALUE_WORDS: Readonly<Record<string, Words>> = {
  true: ['Oui', 'Yes'],
  false: ['Non', 'No'],
  production: ['Production', 'Production'],
  demo: ['Démonstration', 'Demonstration'],
  local: ['Fichier de clés local', 'Local key file'],
  vault: ['Vault', 'Vault'],
};

/** A setting's name in words; an unknown one by its key. */
export function settingName(key: string, language: Language): string {
  return Object.hasOwn(SETTING_WORDS, key) ? pick(SETTING_WORDS[key] as Words, language) : key;
}

/** A setting's value: yes/no and the known kinds in words, numbers and addresses as they are. */
export function settingValue(value: string | number | boolean, language: Language): string {
  const s = String(value);
  return Object.hasOwn(VALUE_WORDS, s) ? pick(VALUE_WORDS[s] as Words, language) : s;
}
