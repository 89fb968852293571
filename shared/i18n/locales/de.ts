import type { Messages } from './en';

/** German. Formal "Sie", as is usual between organisations. */
export const de: Messages = {
  'language.name': 'Deutsch',
  'language.label': 'Sprache',

  'common.signIn': 'Anmelden',
  'common.support': 'Brauchen Sie Hilfe? Wenden Sie sich an {support}.',
  'common.privacy': 'Datenschutzhinweis',
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
};
