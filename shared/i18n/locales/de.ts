import type { Messages } from './en';

/** German. Formal "Sie", as is usual between organisations. */
export const de: Messages = {
  'language.name': 'Deutsch',
  'language.label': 'Sprache',

  'common.signIn': 'Anmelden',
  'common.support': 'Brauchen Sie Hilfe? Wenden Sie sich an {support}.',
  'common.privacy': 'Datenschutzhinweis',

  // Guest lifecycle: access hints, leave and reset outcomes, reminders and renewal.
  'common.acceptInvitation': 'Einladung annehmen',
  'common.access.delay':
    'Es kann einige Minuten dauern, bis der Zugriff in den Office-Apps ankommt, und bis zu mehreren Stunden, wenn er über eine Gruppe erteilt wird. Wenn sich eine Datei noch nicht öffnet, versuchen Sie es später erneut.',
  'common.access.apps':
    'Geschützte Dateien öffnen Sie mit Word, Excel, PowerPoint oder Outlook unter Windows, auf dem Mac oder im Web; geschützte PDF- und .pfile-Dateien mit dem Microsoft Purview Information Protection Viewer; und mit den Office-Apps auf iPhone, iPad und Android.',
  'common.access.homeTenant':
    'Ihre Organisation nutzt Microsoft 365: Wenn Microsoft fragt, melden Sie sich mit Ihrem Arbeitskonto an, nicht mit einem Einmalkennwort.',
  'common.outcome.guestRemoved.heading': 'Ihr Gastkonto wurde gelöscht',
  'common.outcome.guestRemoved.body':
    '{organization} hat das Gastkonto dieser E-Mail-Adresse gelöscht. Damit geteilte geschützte Dateien lassen sich für Sie nicht mehr öffnen.',
  'common.outcome.notManaged.heading': 'Dieses Konto kann hier nicht geändert werden',
  'common.outcome.notManaged.body':
    'Diese E-Mail-Adresse hat ein Konto bei {organization}, das nicht über diese Seite erstellt wurde. Es kann daher hier nicht geändert werden. Bitte wenden Sie sich an {support}.',
  'common.outcome.redemptionReset.heading': 'Neu beginnen mit Ihrem Konto',
  'common.outcome.redemptionReset.body':
    'Wir haben Ihr Gastkonto bei {organization} zurückgesetzt. Wählen Sie „Einladung annehmen“ und melden Sie sich mit dem Konto an, das Sie künftig verwenden möchten.',
  'email.verification.intent.leave':
    'Wenn Sie diesen Code bestätigen, wird Ihr Gastkonto bei {organization} gelöscht.',
  'email.verification.intent.reset':
    'Wenn Sie diesen Code bestätigen, wird Ihr Gastkonto bei {organization} zurückgesetzt, sodass Sie es mit einem anderen Konto erneut annehmen können.',
  'email.reset.subject': 'Nehmen Sie Ihr Gastkonto bei {organization} erneut an',
  'email.reminder.subject': 'Erinnerung: Nehmen Sie Ihr Gastkonto bei {organization} an',
  'email.reminder.body':
    '{organization} hat ein Gastkonto für Sie erstellt, das noch nicht angenommen wurde. Wählen Sie „Einladung annehmen“ und melden Sie sich mit dieser E-Mail-Adresse an, um die mit Ihnen geteilten Dateien zu öffnen.',
  'email.renewal.subject': 'Ihr Gastkonto bei {organization} endet am {date}',
  'email.renewal.body':
    'Ihr Gastkonto bei {organization} endet am {date}. Um es zu behalten, bestätigen Sie Ihre E-Mail-Adresse vorher erneut: Das dauert nur eine Minute.',
  'email.renewal.button': 'Gastkonto behalten',
  'page.help.leave': 'Mein Gastkonto löschen',
  'page.help.reset': 'Mit einem anderen Konto neu beginnen',
  'page.intent.leave.heading': 'Gastkonto löschen',
  'page.intent.leave.body':
    'Geben Sie die E-Mail-Adresse Ihres Gastkontos ein. Wir senden Ihnen einen Code; wenn Sie ihn bestätigen, wird das Konto gelöscht.',
  'page.intent.reset.heading': 'Mit einem anderen Konto neu beginnen',
  'page.intent.reset.body':
    'Geben Sie die E-Mail-Adresse Ihres Gastkontos ein. Wir senden Ihnen einen Code; wenn Sie ihn bestätigen, wird das Konto zurückgesetzt und Sie können es erneut annehmen, zum Beispiel mit Ihrem neuen Arbeitskonto.',

  'common.next.heading': 'So geht es weiter',
  'common.next.signIn': 'Wählen Sie „Anmelden“ und verwenden Sie dieselbe E-Mail-Adresse.',
  'common.next.passcode':
    'Microsoft schickt Ihnen eventuell einen Einmalcode per E-Mail. Geben Sie ihn ein, um die Anmeldung abzuschließen.',
  'common.next.reopen': 'Öffnen Sie danach die geschützte Datei erneut.',
  'common.next.delay':
    'Bis der Zugriff funktioniert, kann es einige Minuten dauern. Wenn sich die Datei noch nicht öffnen lässt, warten Sie ein paar Minuten und versuchen Sie es dann erneut.',
  'common.ready.guestCreated.heading': 'Ihr Gastkonto ist eingerichtet',
  'common.ready.guestCreated.body':
    '{organization} hat ein Gastkonto für Sie erstellt. Damit können Sie die Dateien öffnen, die mit Ihnen geteilt werden.',
  'common.ready.existingGuest.heading': 'Sie haben bereits ein Gastkonto',
  'common.ready.existingGuest.body':
    'Für diese E-Mail-Adresse gibt es bereits ein Gastkonto bei {organization}. Öffnen Sie die Datei damit.',
  'common.ready.existingMember.heading': 'Verwenden Sie Ihr Organisationskonto',
  'common.ready.existingMember.body':
    'Diese E-Mail-Adresse gehört zu einem Konto bei {organization}, Sie brauchen also kein Gastkonto. Melden Sie sich mit Ihrem Organisationskonto an und öffnen Sie die Datei dann erneut.',
  'common.failed.heading': 'Wir konnten Ihr Konto nicht erstellen',

  'email.verification.subject': '{code} ist Ihr Code für {organization}',
  'email.verification.preheader':
    'Geben Sie diesen Code auf der Registrierungsseite ein. Er ist {minutes, plural, one {# Minute} other {# Minuten}} lang gültig.',
  'email.verification.codeLabel': 'Ihr Bestätigungscode',
  'email.verification.instructions':
    'Geben Sie diesen Code auf der Registrierungsseite von {organization} ein, um Ihre E-Mail-Adresse zu bestätigen. Der Code ist {minutes, plural, one {# Minute} other {# Minuten}} lang gültig.',
  'email.verification.button': 'Registrierungsseite öffnen',
  'email.verification.linkNote':
    'Beim Öffnen der Seite wird nur der Code für Sie eingetragen. Bestätigt wird erst, wenn Sie dort „Bestätigen“ wählen.',
  'email.verification.ignore':
    'Wenn Sie diesen Code nicht angefordert haben, ignorieren Sie diese E-Mail einfach: Es passiert nichts.',
  'email.verification.retention':
    'Wir speichern Ihre E-Mail-Adresse höchstens {days, plural, one {# Tag} other {# Tage}} lang, um Ihre Registrierung zu bearbeiten, und löschen sie dann.',

  'email.ready.guestCreated.subject': 'Ihr Gastkonto bei {organization} ist eingerichtet',
  'email.ready.existingGuest.subject': 'Sie haben bereits ein Gastkonto bei {organization}',
  'email.ready.existingMember.subject': 'Öffnen Sie die Datei mit Ihrem Konto bei {organization}',

  'email.failed.subject': 'Ihre Registrierung bei {organization} konnte nicht abgeschlossen werden',
  'email.failed.body':
    'Leider ist bei uns beim Erstellen Ihres Gastkontos ein Fehler aufgetreten. Bitte wenden Sie sich an {support}: Dort hilft man Ihnen, die Datei zu öffnen.',

  'email.linkFallback':
    'Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:',
  'email.reason':
    'Sie erhalten diese E-Mail, weil diese Adresse auf der Registrierungsseite von {organization} für geschützte Dateien eingegeben wurde.',

  'page.title': 'Geschützte Datei von {organization} öffnen',
  'page.intro':
    'Jemand bei {organization} hat eine geschützte Datei mit Ihrer geschäftlichen E-Mail-Adresse geteilt. Um sie zu öffnen, brauchen Sie ein Gastkonto. Bestätigen Sie hier Ihre E-Mail-Adresse, dann richten wir es für Sie ein.',
  'page.progress': 'Schritt {step} von {total}',
  'page.working': 'Bitte warten …',
  'page.startAgain': 'Neu beginnen',
  'page.tryAgain': 'Erneut versuchen',

  'page.email.heading': 'Geben Sie Ihre geschäftliche E-Mail-Adresse ein',
  'page.email.label': 'Geschäftliche E-Mail-Adresse',
  'page.email.hint': 'Verwenden Sie die Adresse, mit der die geschützte Datei geteilt wurde.',
  'page.email.submit': 'Code zusenden',
  'page.email.required': 'Geben Sie Ihre E-Mail-Adresse ein.',
  'page.email.privacy':
    'Wir verwenden Ihre E-Mail-Adresse nur, um Ihnen einen Code zu senden und Ihren Zugriff einzurichten.',

  'page.code.heading': 'Sehen Sie in Ihren E-Mails nach',
  'page.code.sent': 'Wir haben einen 6-stelligen Code an {email} gesendet.',
  'page.code.label': 'Bestätigungscode',
  'page.code.hint': 'Geben Sie die 6 Ziffern aus der E-Mail ein. Sie können auch den ganzen Code einfügen.',
  'page.code.submit': 'Bestätigen',
  'page.code.required': 'Geben Sie den 6-stelligen Code aus der E-Mail ein.',
  'page.code.prefilled':
    'Der Code aus Ihrer E-Mail ist bereits eingetragen. Wählen Sie „Bestätigen“, um fortzufahren.',
  'page.code.junk':
    'Noch keine E-Mail? Es kann eine Minute dauern, bis sie ankommt. Sehen Sie auch im Junk- oder Spam-Ordner nach.',
  'page.code.eta': 'Ihr Code sollte bis {time} ankommen.',
  'page.code.undeliverable':
    'Wir konnten keine E-Mail an diese Adresse zustellen: Sie kam zurück oder der Mailserver hat sie abgelehnt. Prüfen Sie die Adresse oder verwenden Sie eine andere.',
  'page.code.resend': 'Neuen Code senden',
  'page.code.resendCountdown':
    'Sie können in {seconds, plural, one {# Sekunde} other {# Sekunden}} einen neuen Code anfordern.',
  'page.code.resent':
    'Wir haben Ihnen einen neuen Code gesendet. Verwenden Sie den Code aus der neuesten E-Mail.',
  'page.code.changeEmail': 'Andere E-Mail-Adresse verwenden',

  'page.waiting.heading': 'Ihr Zugriff wird eingerichtet',
  'page.waiting.body': 'Das dauert meist weniger als eine Minute. Bitte lassen Sie diese Seite geöffnet.',
  'page.waiting.slow':
    'Das dauert länger als üblich. Bitte lassen Sie diese Seite geöffnet: Wir arbeiten noch daran.',

  'error.invalid_email':
    'Das sieht nicht nach einer E-Mail-Adresse aus. Bitte prüfen Sie Ihre Eingabe und versuchen Sie es erneut.',
  'error.domain_not_allowed':
    'Diese E-Mail-Adresse kann hier nicht verwendet werden. Bitte verwenden Sie Ihre geschäftliche E-Mail-Adresse.',
  'error.domain_not_allowed.consumer':
    'Private E-Mail-Adressen, etwa von Gmail oder Outlook.com, können hier nicht verwendet werden. Bitte verwenden Sie Ihre geschäftliche E-Mail-Adresse.',
  'error.domain_not_allowed.disposable':
    'Temporäre E-Mail-Adressen können hier nicht verwendet werden. Bitte verwenden Sie Ihre geschäftliche E-Mail-Adresse.',
  'error.domain_not_allowed.organization':
    'Diese Adresse gehört zu {organization}. Sie müssen sich nicht registrieren: Melden Sie sich stattdessen mit Ihrem Organisationskonto an.',
  'error.domain_not_allowed.blocked':
    'E-Mail-Adressen dieser Domain können hier nicht verwendet werden. Bitte verwenden Sie Ihre geschäftliche E-Mail-Adresse oder wenden Sie sich an {support}.',
  'error.domain_not_allowed.not_allowed':
    'Hier können sich nur bestimmte Organisationen registrieren, und diese Adresse gehört zu keiner davon. Bitte verwenden Sie die geschäftliche E-Mail-Adresse, mit der die Datei geteilt wurde, oder wenden Sie sich an {support}.',
  'error.invalid_request':
    'Auf dieser Seite ist etwas schiefgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es erneut.',
  'error.invalid_code':
    'Dieser Code ist falsch oder abgelaufen. Sehen Sie in der neuesten E-Mail nach oder fordern Sie einen neuen Code an.',
  'error.signup_not_found': 'Diese Registrierung ist abgelaufen. Bitte beginnen Sie neu.',
  'error.locked': 'Zu viele Versuche. Bitte beginnen Sie zu Ihrer Sicherheit neu.',
  'error.already_verified':
    'Ihre E-Mail-Adresse ist bereits bestätigt. Wir richten gerade Ihren Zugriff ein.',
  'error.rate_limited':
    'Zu viele Versuche. Bitte warten Sie {seconds, plural, one {# Sekunde} other {# Sekunden}} und versuchen Sie es dann erneut.',
  'error.resend_too_soon':
    'Wir haben Ihnen gerade einen Code gesendet. Bitte warten Sie einen Moment, bevor Sie einen neuen anfordern.',
  'error.signups_paused': 'Registrierungen sind im Moment pausiert. Bitte versuchen Sie es später erneut.',
  'error.failed': 'Wir konnten Ihr Konto nicht erstellen. Bitte wenden Sie sich an {support}.',
  'error.network':
    'Der Dienst ist gerade nicht erreichbar. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.',
  'error.generic':
    'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut. Wenn das Problem bleibt, wenden Sie sich an {support}.',
  // Relay and reserved domains (req 30), the start budget (req 17), the proof-of-work check (req 20).
  'error.domain_not_allowed.relay':
    'Weiterleitungs- und Alias-Adressen (etwa „E-Mail-Adresse verbergen“ oder Firefox Relay) können hier nicht verwendet werden. Bitte verwenden Sie direkt Ihre geschäftliche E-Mail-Adresse.',
  'error.domain_not_allowed.reserved':
    'Dies ist eine Beispieladresse, die keine E-Mails empfangen kann. Bitte verwenden Sie Ihre geschäftliche E-Mail-Adresse.',
  'error.busy':
    'Gerade registrieren sich sehr viele Personen. Bitte versuchen Sie es in einer Minute erneut.',
  'error.challenge_failed':
    'Die Seite konnte ihre Sicherheitsprüfung nicht abschließen. Bitte versuchen Sie es erneut.',
  'error.challenge_required':
    'Die Seite konnte ihre Sicherheitsprüfung nicht abschließen. Bitte versuchen Sie es erneut.',

  // Access model.
  'common.identity.body':
    'Dateien, die für Ihre E-Mail-Adresse oder für die Domain Ihrer Organisation geschützt wurden, lassen sich öffnen, wenn Sie sich mit dieser Adresse anmelden.',
  'common.pendingApproval.heading': 'Warten auf Freigabe',
  'common.pendingApproval.body':
    'Eine verantwortliche Person bei {organization} entscheidet, ob Sie Zugriff erhalten. Sie bekommen in jedem Fall eine E-Mail. Sie können diese Seite schließen.',
  'common.notEligible.heading': 'Für diese Adresse können wir keinen Zugang einrichten',
  'common.notEligible.not_partner':
    'Die Registrierung steht nur Partnerorganisationen von {organization} offen. Wenn Sie eine Datei öffnen müssen, fragen Sie die Person, die sie geteilt hat, oder wenden Sie sich an {support}.',
  'common.notEligible.no_recent_mail':
    'Wir konnten nicht bestätigen, dass {organization} kürzlich E-Mails an diese Adresse gesendet hat. Fragen Sie die Person, die die Datei geteilt hat, oder wenden Sie sich an {support}.',
  'common.notEligible.denied':
    'Eine verantwortliche Person bei {organization} hat diese Anfrage nicht freigegeben. Wenn Sie das für einen Fehler halten, wenden Sie sich an {support}.',
  'common.notEligible.revoked':
    '{organization} hat den Zugang für diese Adresse entzogen. Wenn Sie das für einen Fehler halten, wenden Sie sich an {support}.',
  'email.notEligible.subject': 'Zu Ihrer Registrierung bei {organization}',
  'email.approval.subject': 'Eine Anfrage für einen Gastzugang wartet bei {organization} auf Sie',
  'email.approval.body':
    '{email} (Domain {domain}) hat diese E-Mail-Adresse auf der Registrierungsseite von {organization} bestätigt und bittet um ein Gastkonto.',
  'email.approval.button': 'Anfrage prüfen',
  'email.approval.note':
    'Das Öffnen des Links entscheidet nichts: Wählen Sie auf der Seite „Freigeben“ oder „Ablehnen“. Die Anfrage läuft in {days, plural, one {# Tag} other {# Tagen}} ab.',
  'page.approval.heading': 'Anfrage für einen Gastzugang',
  'page.approval.body': '{email} (Domain {domain}) bittet um ein Gastkonto bei {organization}.',
  'page.approval.approve': 'Freigeben',
  'page.approval.deny': 'Ablehnen',
  'page.approval.approved': 'Freigegeben. Die Person erhält eine E-Mail, sobald ihr Konto bereit ist.',
  'page.approval.denied': 'Abgelehnt. Die Person erhält eine E-Mail darüber.',
  'error.domain_not_allowed.paused':
    'Registrierungen von dieser Domain sind im Moment pausiert. Nachricht der Administration: {reason}',
  'error.domain_not_allowed.capped':
    'Für diese Domain ist das heutige Registrierungslimit der Administration erreicht. Bitte versuchen Sie es morgen erneut.',
  'error.already_decided': 'Über diese Anfrage wurde bereits entschieden.',
  'error.approval_not_found': 'Dieser Freigabelink ist ungültig oder die Anfrage ist abgelaufen.',
};
