import type { AuditEventRow } from '../../../gateway/src/api-types.js';
import { refusedRequest, type NamedAuditAction, type SYSTEM_ACTORS } from '../../../gateway/src/audit/actions.js';

/** i18n.tsx's `Language`, restated: the unit test of this table runs under the gateway's type check, which reads no JSX. */
type Language = 'fr' | 'en';

/** One code in French and English. */
type Words = readonly [fr: string, en: string];

/**
 * Every action the gateway writes, in words: the type makes a new action in `AUDIT_ACTIONS`
 * fail the UI's typecheck until it is worded here.
 */
export const ACTION_WORDS: Readonly<Record<NamedAuditAction, Words>> = {
  'result.create': ['Résultat enregistré', 'Result recorded'],
  'result.correct': ['Résultat corrigé', 'Result corrected'],
  'result.cancel': ['Résultat annulé', 'Result cancelled'],
  'result.access': ['Accès à un résultat', 'Result access'],
  'result.list-status': ['Liste des statuts de résultats consultée', 'Result statuses listed'],
  'result.list-summary': ['Liste du jour consultée', 'Today’s list viewed'],
  'result.read-status': ['Statut d’un résultat consulté', 'Result status read'],
  'result.read-receipt': ['Accusé de réception consulté', 'Delivery receipt read'],
  'result.reveal': ['Données personnelles affichées', 'Personal data shown'],
  'result.purge': ['Données personnelles effacées', 'Personal data erased'],
  'result.deliver.original': ['Résultat transmis à SI-DEP', 'Result delivered to SI-DEP'],
  'result.deliver.correction': ['Correction transmise à SI-DEP', 'Correction delivered to SI-DEP'],
  'result.deliver.cancellation': ['Annulation transmise à SI-DEP', 'Cancellation delivered to SI-DEP'],
  'counter-prefill.create': ['Préremplissage préparé par le logiciel de la pharmacie', 'Prefill prepared by the pharmacy software'],
  'counter-prefill.redeem': ['Préremplissage ouvert au comptoir', 'Prefill opened at the counter'],
  authenticate: ['Authentification', 'Authentication'],
  login: ['Connexion', 'Sign-in'],
  logout: ['Déconnexion', 'Sign-out'],
  'session.open': ['Session ouverte', 'Session opened'],
  'session.expire': ['Session expirée', 'Session expired'],
  'session.revoke': ['Session fermée par un administrateur', 'Session closed by an administrator'],
  'break-glass.link': ['Lien de secours créé', 'Break-glass link created'],
  'enrolment.add': ['Rôle accordé', 'Role granted'],
  'enrolment.revoke': ['Rôle retiré', 'Role revoked'],
  'enrolment.recertify': ['Rôle reconduit', 'Role recertified'],
  'pharmacy.add': ['Pharmacie ajoutée', 'Pharmacy added'],
  'pharmacy.deactivate': ['Pharmacie désactivée', 'Pharmacy deactivated'],
  'pharmacy.reactivate': ['Pharmacie réactivée', 'Pharmacy reactivated'],
  'pharmacy.offboard': ['Sortie d’une pharmacie', 'Pharmacy offboarding'],
  'certificate.issue': ['Certificat émis', 'Certificate issued'],
  'certificate.register': ['Certificat enregistré', 'Certificate registered'],
  'certificate.revoke': ['Certificat révoqué', 'Certificate revoked'],
  'crl.publish': ['Liste de révocation publiée', 'Revocation list published'],
  'keys.rotate': ['Nouvelle version de la clé maîtresse', 'Master key rotated'],
  'keys.rewrap': ['Clés de données ré-enveloppées', 'Data keys rewrapped'],
  'keys.retire': ['Anciennes clés maîtresses retirées', 'Old master keys retired'],
  'keys.reindex': ['Index aveugle recalculé', 'Blind index rebuilt'],
  'keys.rotate-blind-index': ['Nouvelle clé d’index aveugle', 'Blind-index key rotated'],
  'keys.retire-blind-index': ['Anciennes clés d’index aveugle retirées', 'Old blind-index keys retired'],
  'audit.search': ['Recherche dans le journal d’audit', 'Audit log searched'],
  'audit.verify': ['Vérification du journal d’audit', 'Audit log verified'],
  'audit.export': ['Export du journal d’audit', 'Audit log exported'],
  'audit.prune': ['Purge des anciens lots du journal', 'Old audit batches pruned'],
  'statistics.export': ['Export des statistiques', 'Statistics exported'],
  'outbox.redrive': ['Renvoi d’un message en échec', 'Dead letter redriven'],
  'outbox.resume': ['Reprise des envois à SI-DEP', 'Deliveries to SI-DEP resumed'],
  'webhook.add': ['Adresse de rappel ajoutée', 'Callback endpoint added'],
  'webhook.remove': ['Adresse de rappel supprimée', 'Callback endpoint removed'],
  'webhook.rotate-secret': ['Secret de rappel renouvelé', 'Callback secret rotated'],
  'webhook.test': ['Rappel de test envoyé', 'Test callback sent'],
  'webhook.replay': ['Rappel renvoyé', 'Callback replayed'],
  'subject.find': ['Recherche des résultats d’une personne', 'A person’s results searched'],
  'subject.export': ['Export des résultats d’une personne', 'A person’s results exported'],
  'subject.request': ['Demande d’une personne enregistrée', 'A person’s request recorded'],
  'subject.answer': ['Demande d’une personne traitée', 'A person’s request answered'],
  'admin.results': ['Résultats', 'Results'],
  'admin.reveal': ['Affichage des données personnelles', 'Showing personal data'],
  'admin.receipts': ['Accusés de réception', 'Receipts'],
  'admin.certificates': ['Certificats', 'Certificates'],
  'admin.enrolments': ['Habilitations', 'Enrolments'],
  'admin.redrive': ['Renvoi des messages en échec', 'Redriving dead letters'],
  'admin.keys': ['Clés', 'Keys'],
  'admin.key-status': ['État des clés', 'Key status'],
  'admin.audit': ['Journal d’audit', 'Audit log'],
  'admin.statistics': ['Statistiques', 'Statistics'],
  'admin.data-subjects': ['Droits des personnes', 'Data subjects’ rights'],
  'admin.access-review': ['Revue des accès', 'Access review'],
};

/**
 * Every reason code the gateway writes, in words: its closed lists (sign-in refusals, problem
 * codes, revocation and people's-rights reasons, reveal purposes, result statuses…) and the fixed
 * codes of its emitters. The gateway's lists live beside Node code the UI cannot compile, so
 * `tests/unit/ui-audit-words-cover-every-action-and-reason-the-gateway-writes.test.ts` holds them
 * against this table.
 */
export const REASON_WORDS = {
  // sign-in
  'provider-error': ['Le fournisseur d’identité n’a pas répondu correctement', 'The identity provider failed'],
  'login-state-invalid': ['Connexion expirée ou rejouée', 'Sign-in expired or replayed'],
  'acr-too-low': ['Niveau d’authentification insuffisant', 'Authentication level too low'],
  'claims-missing': ['Identité incomplète', 'Identity incomplete'],
  'mfa-required': ['Double authentification exigée', 'Two-factor authentication required'],
  'no-enrolment': ['Aucune habilitation', 'No enrolment'],
  mfa: ['Double authentification', 'Two-factor authentication'],
  'single-factor': ['Authentification simple', 'Single-factor authentication'],
  'break-glass': ['Accès de secours', 'Break-glass access'],
  'break-glass-link-invalid': ['Lien de secours invalide', 'Invalid break-glass link'],
  'no-session': ['Pas de session', 'No session'],
  unauthenticated: ['Non authentifié', 'Not authenticated'],
  'session-expired': ['Session expirée', 'Session expired'],
  timeout: ['Inactivité', 'Inactivity'],
  'own-enrolment': ['Sa propre habilitation', 'Own enrolment'],
  // certificates
  keyCompromise: ['Clé compromise', 'Key compromise'],
  superseded: ['Remplacé', 'Superseded'],
  affiliationChanged: ['Changement de rattachement', 'Affiliation changed'],
  cessationOfOperation: ['Cessation d’activité', 'Cessation of operation'],
  unspecified: ['Non précisé', 'Unspecified'],
  // roles (the reason of `enrolment.add`)
  pharmacist: ['Rôle pharmacien', 'Pharmacist role'],
  'pharmacy-manager': ['Rôle titulaire', 'Pharmacy manager role'],
  operator: ['Rôle exploitant', 'Operator role'],
  'chain-admin': ['Rôle administrateur de la chaîne', 'Chain administrator role'],
  auditor: ['Rôle auditeur', 'Auditor role'],
  dpo: ['Rôle DPO', 'DPO role'],
  // people's rights and purposes
  'access-request': ['Demande d’accès', 'Access request'],
  rectification: ['Rectification', 'Rectification'],
  erasure: ['Effacement', 'Erasure'],
  objection: ['Opposition', 'Objection'],
  'receipt-reprint': ['Réimpression du reçu', 'Receipt reprint'],
  'patient-request': ['Demande du patient', 'Patient’s request'],
  correction: ['Correction', 'Correction'],
  'data-entry-error': ['Erreur de saisie', 'Data entry error'],
  'wrong-patient-identity': ['Identité du patient erronée', 'Wrong patient identity'],
  'wrong-result': ['Résultat erroné', 'Wrong result'],
  'wrong-test': ['Mauvais type de test', 'Wrong test type'],
  'wrong-collection-time': ['Mauvaise heure de prélèvement', 'Wrong collection time'],
  'entered-in-error': ['Saisi par erreur', 'Entered in error'],
  duplicate: ['Doublon', 'Duplicate'],
  'wrong-patient': ['Mauvais patient', 'Wrong patient'],
  'test-not-performed': ['Test non réalisé', 'Test not performed'],
  // problems
  validation: ['Saisie refusée', 'Input refused'],
  'malformed-json': ['Requête illisible', 'Unreadable request'],
  'unsupported-media-type': ['Format de requête refusé', 'Request format refused'],
  'payload-too-large': ['Requête trop volumineuse', 'Request too large'],
  'idempotency-key-missing': ['Clé d’idempotence absente', 'Idempotency key missing'],
  'idempotency-key-invalid': ['Clé d’idempotence invalide', 'Idempotency key invalid'],
  forbidden: ['Droit manquant', 'Missing right'],
  'finess-mismatch': ['Autre pharmacie que la sienne', 'Another pharmacy than its own'],
  'not-found': ['Introuvable', 'Not found'],
  'idempotency-conflict': ['Clé d’idempotence déjà utilisée pour une autre requête', 'Idempotency key reused for another request'],
  'duplicate-result': ['Résultat en double', 'Duplicate result'],
  'result-not-modifiable': ['Résultat non modifiable', 'Result not modifiable'],
  'registry-conflict': ['Conflit dans le registre', 'Registry conflict'],
  'rate-limited': ['Trop de tentatives', 'Too many attempts'],
  'csrf-failed': ['Requête d’une autre origine', 'Cross-site request'],
  'key-manager-unavailable': ['Gestionnaire de clés indisponible', 'Key manager unavailable'],
  'audit-unavailable': ['Journal d’audit indisponible', 'Audit log unavailable'],
  unavailable: ['Service indisponible', 'Service unavailable'],
  internal: ['Erreur interne', 'Internal error'],
  // results and deliveries
  received: ['Reçu', 'Received'],
  delivering: ['En cours d’envoi', 'Delivering'],
  retrying: ['Nouvel essai prévu', 'Retrying'],
  delivered: ['Transmis (durée de conservation atteinte)', 'Delivered (retention reached)'],
  'dead-lettered': ['En échec (durée de conservation atteinte)', 'Dead-lettered (retention reached)'],
  cancelled: ['Annulé (durée de conservation atteinte)', 'Cancelled (retention reached)'],
  delivery: ['Accusé de réception de SI-DEP', 'SI-DEP acknowledgement'],
  'sidep-rejected': ['Refusé par SI-DEP', 'Refused by SI-DEP'],
  'message-build-failed': ['Message impossible à préparer', 'Message could not be built'],
  'max-attempts': ['Nombre d’essais épuisé', 'Attempts exhausted'],
  'max-age': ['Délai d’envoi dépassé', 'Delivery deadline passed'],
  resume: ['Reprise demandée par l’exploitant', 'Resumed by the operator'],
  redeploy: ['Reprise après une nouvelle version', 'Resumed after a new version'],
  // jobs
  export: ['Export téléchargé', 'Export downloaded'],
  started: ['Lancé', 'Started'],
  completed: ['Terminé', 'Completed'],
  ok: ['Intègre', 'Intact'],
  failed: ['Échec', 'Failed'],
  retention: ['Durée de conservation atteinte', 'Retention reached'],
  day: ['Par jour', 'Per day'],
  month: ['Par mois', 'Per month'],
  'other-pharmacy': ['Jeton d’une autre pharmacie', 'Token of another pharmacy'],
} as const satisfies Readonly<Record<string, Words>>;

/** A verification's fault kinds (`AuditFaultKind`), for the `kind:check` reason of `audit.verify`. */
export const FAULT_WORDS = {
  edited: ['événement modifié', 'event edited'],
  deleted: ['événement supprimé', 'event deleted'],
  inserted: ['événement inséré', 'event inserted'],
  reordered: ['ordre modifié', 'order changed'],
  truncated: ['journal tronqué', 'log truncated'],
  unsealed: ['événements non scellés', 'events not sealed'],
} as const satisfies Readonly<Record<string, Words>>;

/** What an event acted on, by its object type. */
export const OBJECT_WORDS = {
  'test-result': ['Résultat', 'Result'],
  'outbox-message': ['Message vers SI-DEP', 'Message to SI-DEP'],
  'counter-prefill': ['Préremplissage', 'Prefill'],
  pharmacy: ['Pharmacie', 'Pharmacy'],
  'client-certificate': ['Certificat', 'Certificate'],
  crl: ['Liste de révocation', 'Revocation list'],
  user: ['Personne', 'Person'],
  enrolment: ['Habilitation', 'Enrolment'],
  'key-encryption-key': ['Clé maîtresse', 'Master key'],
  'blind-index-key': ['Clé d’index aveugle', 'Blind-index key'],
  'audit-checkpoint': ['Point de contrôle du journal', 'Audit checkpoint'],
  'audit-verification': ['Vérification du journal', 'Audit verification'],
  'sidep-contract-pause': ['Pause des envois à SI-DEP', 'Pause of deliveries to SI-DEP'],
  'subject-request': ['Demande d’une personne', 'A person’s request'],
  'webhook-endpoint': ['Adresse de rappel', 'Callback endpoint'],
  'webhook-event': ['Rappel', 'Callback'],
  'request-count': ['Tentatives comptées', 'Attempts counted'],
} as const satisfies Readonly<Record<string, Words>>;

const SYSTEM_ACTOR_WORDS: Readonly<Record<(typeof SYSTEM_ACTORS)[number], Words>> = {
  relay: ['Envoi automatique vers SI-DEP', 'Automatic delivery to SI-DEP'],
  purge: ['Purge automatique', 'Automatic purge'],
  'crl-refresh': ['Publication automatique des révocations', 'Automatic revocation publishing'],
};

const pick = (w: Words, language: Language) => (language === 'fr' ? w[0] : w[1]);
const has = <K extends string>(table: Readonly<Record<K, Words>>, code: string): code is K => Object.hasOwn(table, code);

/** A verification's fault kind in words. */
export function faultWords(kind: string, language: Language): string {
  return has(FAULT_WORDS, kind) ? pick(FAULT_WORDS[kind], language) : kind;
}

/** An event's object: its type in words, then its id (a result's, a certificate's fingerprint…). */
export function objectWords(object: { type: string; id: string }, language: Language): string {
  return `${has(OBJECT_WORDS, object.type) ? pick(OBJECT_WORDS[object.type], language) : object.type} ${object.id}`;
}

/** An action in words; a refused web request as "Request refused: METHOD route". */
export function actionWords(action: string, language: Language): string {
  if (has(ACTION_WORDS, action)) return pick(ACTION_WORDS[action], language);
  const request = refusedRequest(action);
  if (request) return `${language === 'fr' ? 'Requête' : 'Request'} ${request.method} ${request.route}`;
  return action;
}

/**
 * A reason in words. Besides the coded reasons, a few carry a value: a key version (`v3`), a
 * rewrap's count (`v3: 12 rewrapped`), a recertification's expiry (`until …Z`), a verification's
 * fault (`edited:event-leaf`).
 */
export function reasonWords(reason: string, language: Language): string {
  if (has(REASON_WORDS, reason)) return pick(REASON_WORDS[reason], language);
  const fr = language === 'fr';
  const rewrap = /^v(\d+): (\d+) rewrapped$/.exec(reason);
  if (rewrap) return fr ? `Version ${rewrap[1]} : ${rewrap[2]} clé(s) ré-enveloppée(s)` : `Version ${rewrap[1]}: ${rewrap[2]} key(s) rewrapped`;
  const version = /^v(\d+)$/.exec(reason);
  if (version) return `Version ${version[1]}`;
  const until = /^until (\d{4}-\d{2}-\d{2}T[\d:]+Z)$/.exec(reason);
  if (until) return `${fr ? 'Jusqu’au' : 'Until'} ${new Date(until[1] as string).toLocaleDateString(fr ? 'fr-FR' : 'en-GB')}`;
  const fault = /^([a-z]+):([a-z-]+)$/.exec(reason);
  const kind = fault?.[1];
  if (fault && kind && has(FAULT_WORDS, kind)) return `${fr ? 'Anomalie :' : 'Fault:'} ${faultWords(kind, language)} (${fault[2]})`;
  return reason;
}

/**
 * Who acted, in words: a pharmacy by its name, a person by the name (else e-mail) of their last
 * sign-in, else their identifier at their identity provider, an operator of the command line by the name they gave, a background job by what it does.
 */
export function actorWords(actor: AuditEventRow['actor'], language: Language): string {
  const fr = language === 'fr';
  const id = actor.id ?? '';
  switch (actor.type) {
    case 'pharmacy':
      return actor.name ?? `${fr ? 'Pharmacie' : 'Pharmacy'} ${id.split('/')[0]}`;
    case 'user':
      if (id.startsWith('cli:')) return `${fr ? 'Opérateur (ligne de commande)' : 'Operator (command line)'} ${id.slice(4)}`;
      // the name (else e-mail) of their last sign-in, joined for display: the log keeps the id
      return actor.name ?? `${fr ? 'Personne' : 'Person'} ${id}`;
    case 'system':
      if (has(SYSTEM_ACTOR_WORDS, id)) return pick(SYSTEM_ACTOR_WORDS[id], language);
      return id ? `${fr ? 'Tâche' : 'Job'} ${id}` : fr ? 'Passerelle' : 'Gateway';
    default:
      return fr ? 'Inconnu' : 'Unknown';
  }
}
