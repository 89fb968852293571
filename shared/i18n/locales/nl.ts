import type { Messages } from './en';

/** Dutch. "U", as is usual between organisations. "Registreren" is sign-up; "aanmelden" is sign-in. */
export const nl: Messages = {
  'language.name': 'Nederlands',
  'language.label': 'Taal',

  'common.signIn': 'Aanmelden',
  'common.support': 'Hulp nodig? Neem contact op met {support}.',
  'common.privacy': 'Privacyverklaring',

  // Guest lifecycle: access hints, leave and reset outcomes, reminders and renewal.
  'common.acceptInvitation': 'Uitnodiging accepteren',
  'common.access.delay':
    'Het kan enkele minuten duren voordat de toegang in de Office-apps werkt, en tot enkele uren als die via een groep loopt. Opent een bestand nog niet, probeer het dan later opnieuw.',
  'common.access.apps':
    'Open beveiligde bestanden met Word, Excel, PowerPoint of Outlook op Windows, Mac of het web; met de Microsoft Purview Information Protection-viewer voor beveiligde pdf- en .pfile-bestanden; en met de mobiele Office-apps op iPhone, iPad en Android.',
  'common.access.homeTenant':
    'Uw organisatie gebruikt Microsoft 365: meld u aan met uw werkaccount wanneer Microsoft daarom vraagt, niet met een eenmalige toegangscode.',
  'common.outcome.guestRemoved.heading': 'Uw gastaccount is verwijderd',
  'common.outcome.guestRemoved.body':
    '{organization} heeft het gastaccount van dit e-mailadres verwijderd. Beveiligde bestanden die ermee gedeeld zijn, gaan voor u niet meer open.',
  'common.outcome.notManaged.heading': 'Dit account kan hier niet worden gewijzigd',
  'common.outcome.notManaged.body':
    'Dit e-mailadres heeft een account bij {organization} dat niet via deze pagina is gemaakt, dus het kan hier niet worden gewijzigd. Neem contact op met {support}.',
  'common.outcome.redemptionReset.heading': 'Opnieuw beginnen met uw account',
  'common.outcome.redemptionReset.body':
    'We hebben uw gastaccount bij {organization} opnieuw ingesteld. Kies Uitnodiging accepteren en meld u aan met het account dat u voortaan wilt gebruiken.',
  'email.verification.intent.leave':
    'Als u deze code bevestigt, wordt uw gastaccount bij {organization} verwijderd.',
  'email.verification.intent.reset':
    'Als u deze code bevestigt, wordt uw gastaccount bij {organization} opnieuw ingesteld, zodat u het met een ander account opnieuw kunt accepteren.',
  'email.reset.subject': 'Accepteer uw gastaccount bij {organization} opnieuw',
  'email.reminder.subject': 'Herinnering: accepteer uw gastaccount bij {organization}',
  'email.reminder.body':
    '{organization} heeft een gastaccount voor u gemaakt, maar het is nog niet geaccepteerd. Kies Uitnodiging accepteren en meld u aan met dit e-mailadres om de met u gedeelde bestanden te openen.',
  'email.renewal.subject': 'Uw gastaccount bij {organization} loopt af op {date}',
  'email.renewal.body':
    'Uw gastaccount bij {organization} loopt af op {date}. Wilt u het houden, bevestig dan vóór die datum opnieuw uw e-mailadres: dat duurt een minuut.',
  'email.renewal.button': 'Mijn gastaccount houden',
  'page.help.leave': 'Mijn gastaccount verwijderen',
  'page.help.reset': 'Opnieuw beginnen met een ander account',
  'page.intent.leave.heading': 'Uw gastaccount verwijderen',
  'page.intent.leave.body':
    'Vul het e-mailadres van uw gastaccount in. We sturen u een code; als u die bevestigt, wordt het account verwijderd.',
  'page.intent.reset.heading': 'Opnieuw beginnen met een ander account',
  'page.intent.reset.body':
    'Vul het e-mailadres van uw gastaccount in. We sturen u een code; als u die bevestigt, wordt het account opnieuw ingesteld zodat u het opnieuw kunt accepteren, bijvoorbeeld met uw nieuwe werkaccount.',

  'common.next.heading': 'Wat gebeurt er nu?',
  'common.next.signIn': 'Kies ‘Aanmelden’ en gebruik hetzelfde e-mailadres.',
  'common.next.passcode':
    'Microsoft stuurt u misschien een eenmalige code per e-mail. Vul die in om het aanmelden af te ronden.',
  'common.next.reopen': 'Open daarna het beveiligde bestand opnieuw.',
  'common.next.delay':
    'Het kan een paar minuten duren voordat u toegang hebt. Gaat het bestand nog niet open? Wacht dan een paar minuten en probeer het opnieuw.',
  'common.ready.guestCreated.heading': 'Uw gastaccount is klaar',
  'common.ready.guestCreated.body':
    '{organization} heeft een gastaccount voor u gemaakt. Daarmee kunt u de bestanden openen die met u worden gedeeld.',
  'common.ready.existingGuest.heading': 'U hebt al een gastaccount',
  'common.ready.existingGuest.body':
    'Dit e-mailadres heeft al een gastaccount bij {organization}. Gebruik dat account om het bestand te openen.',
  'common.ready.existingMember.heading': 'Gebruik uw organisatieaccount',
  'common.ready.existingMember.body':
    'Dit e-mailadres hoort bij een account van {organization}, dus u hebt geen gastaccount nodig. Meld u aan met uw organisatieaccount en open het bestand daarna opnieuw.',
  'common.failed.heading': 'We konden uw account niet maken',

  'email.verification.subject': '{code} is uw code voor {organization}',
  'email.verification.preheader':
    'Vul deze code in op de registratiepagina. De code verloopt over {minutes, plural, one {# minuut} other {# minuten}}.',
  'email.verification.codeLabel': 'Uw verificatiecode',
  'email.verification.instructions':
    'Vul deze code in op de registratiepagina van {organization} om uw e-mailadres te bevestigen. De code verloopt over {minutes, plural, one {# minuut} other {# minuten}}.',
  'email.verification.button': 'Registratiepagina openen',
  'email.verification.linkNote':
    'Als u de pagina opent, wordt alleen de code voor u ingevuld. Er wordt pas iets bevestigd als u daar ‘Bevestigen’ kiest.',
  'email.verification.ignore': 'Hebt u deze code niet aangevraagd? Negeer deze e-mail dan: er gebeurt niets.',
  'email.verification.retention':
    'We bewaren uw e-mailadres maximaal {days, plural, one {# dag} other {# dagen}} om uw registratie af te handelen en verwijderen het daarna.',

  'email.ready.guestCreated.subject': 'Uw gastaccount bij {organization} is klaar',
  'email.ready.existingGuest.subject': 'U hebt al een gastaccount bij {organization}',
  'email.ready.existingMember.subject': 'Gebruik uw account van {organization} om het bestand te openen',

  'email.failed.subject': 'We konden uw registratie bij {organization} niet afronden',
  'email.failed.body':
    'Sorry, er ging bij ons iets mis bij het maken van uw gastaccount. Neem contact op met {support}: daar helpen ze u om het bestand te openen.',

  'email.linkFallback': 'Werkt de knop niet? Kopieer deze link dan naar uw browser:',
  'email.reason':
    'U ontvangt deze e-mail omdat dit adres is ingevuld op de registratiepagina van {organization} voor beveiligde bestanden.',

  'page.title': 'Een beveiligd bestand van {organization} openen',
  'page.intro':
    'Iemand bij {organization} heeft een beveiligd bestand gedeeld met uw zakelijke e-mailadres. Om het te openen hebt u een gastaccount nodig. Bevestig hier uw e-mailadres, dan regelen wij dat voor u.',
  'page.progress': 'Stap {step} van {total}',
  'page.working': 'Even geduld…',
  'page.startAgain': 'Opnieuw beginnen',
  'page.tryAgain': 'Opnieuw proberen',

  'page.email.heading': 'Vul uw zakelijke e-mailadres in',
  'page.email.label': 'Zakelijk e-mailadres',
  'page.email.hint': 'Gebruik het adres waarmee het beveiligde bestand is gedeeld.',
  'page.email.submit': 'Stuur mij een code',
  'page.email.required': 'Vul uw e-mailadres in.',
  'page.email.privacy':
    'We gebruiken uw e-mailadres alleen om u een code te sturen en uw toegang te regelen.',

  'page.code.heading': 'Kijk in uw mailbox',
  'page.code.sent': 'We hebben een code van 6 cijfers gestuurd naar {email}.',
  'page.code.label': 'Verificatiecode',
  'page.code.hint': 'Vul de 6 cijfers uit de e-mail in. U kunt ook de hele code in één keer plakken.',
  'page.code.submit': 'Bevestigen',
  'page.code.required': 'Vul de code van 6 cijfers uit de e-mail in.',
  'page.code.prefilled': 'De code uit uw e-mail is al ingevuld. Kies ‘Bevestigen’ om verder te gaan.',
  'page.code.junk':
    'Nog geen e-mail? Het kan een minuutje duren voordat die binnen is. Kijk ook in de map met ongewenste e-mail of spam.',
  'page.code.eta': 'Uw code zou uiterlijk om {time} moeten aankomen.',
  'page.code.undeliverable':
    'We konden geen e-mail bezorgen op dit adres: de e-mail kwam terug of de mailserver weigerde hem. Controleer het adres of gebruik een ander adres.',
  'page.code.resend': 'Nieuwe code sturen',
  'page.code.resendCountdown':
    'U kunt over {seconds, plural, one {# seconde} other {# seconden}} een nieuwe code aanvragen.',
  'page.code.resent': 'We hebben u een nieuwe code gestuurd. Gebruik de code uit de nieuwste e-mail.',
  'page.code.changeEmail': 'Een ander e-mailadres gebruiken',

  'page.waiting.heading': 'We regelen uw toegang',
  'page.waiting.body': 'Dit duurt meestal minder dan een minuut. Laat deze pagina open.',
  'page.waiting.slow': 'Dit duurt langer dan normaal. Laat deze pagina open: we zijn er nog mee bezig.',

  'error.invalid_email': 'Dit lijkt geen e-mailadres. Controleer het en probeer het opnieuw.',
  'error.domain_not_allowed':
    'Dit e-mailadres kan hier niet worden gebruikt. Gebruik uw zakelijke e-mailadres.',
  'error.domain_not_allowed.consumer':
    'Persoonlijke e-mailadressen, zoals Gmail of Outlook.com, kunnen hier niet worden gebruikt. Gebruik uw zakelijke e-mailadres.',
  'error.domain_not_allowed.disposable':
    'Tijdelijke e-mailadressen kunnen hier niet worden gebruikt. Gebruik uw zakelijke e-mailadres.',
  'error.domain_not_allowed.organization':
    'Dit adres hoort bij {organization}. U hoeft zich niet te registreren: meld u in plaats daarvan aan met uw organisatieaccount.',
  'error.domain_not_allowed.blocked':
    'E-mailadressen van dit domein kunnen hier niet worden gebruikt. Gebruik uw zakelijke e-mailadres of neem contact op met {support}.',
  'error.domain_not_allowed.not_allowed':
    'Alleen bepaalde organisaties kunnen zich hier registreren, en dit adres hoort bij geen van die organisaties. Gebruik het zakelijke e-mailadres waarmee het bestand is gedeeld, of neem contact op met {support}.',
  'error.invalid_request': 'Er ging iets mis op deze pagina. Laad de pagina opnieuw en probeer het nog eens.',
  'error.invalid_code':
    'Die code is onjuist of verlopen. Kijk in de nieuwste e-mail of vraag een nieuwe code aan.',
  'error.signup_not_found': 'Deze registratie is verlopen. Begin opnieuw.',
  'error.locked': 'Te veel pogingen. Begin voor uw veiligheid opnieuw.',
  'error.already_verified': 'Uw e-mailadres is al bevestigd. We regelen nu uw toegang.',
  'error.rate_limited':
    'Te veel pogingen. Wacht {seconds, plural, one {# seconde} other {# seconden}} en probeer het dan opnieuw.',
  'error.resend_too_soon': 'We hebben u net een code gestuurd. Wacht even voordat u een nieuwe aanvraagt.',
  'error.signups_paused': 'Registreren is op dit moment gepauzeerd. Probeer het later opnieuw.',
  'error.failed': 'We konden uw account niet maken. Neem contact op met {support}.',
  'error.network':
    'We kunnen de dienst niet bereiken. Controleer uw internetverbinding en probeer het opnieuw.',
  'error.generic':
    'Er ging iets mis. Probeer het opnieuw. Blijft het misgaan? Neem dan contact op met {support}.',
  // Relay and reserved domains (req 30), the start budget (req 17), the proof-of-work check (req 20).
  'error.domain_not_allowed.relay':
    'Doorstuur- en aliasadressen (zoals ‘Verberg mijn e-mailadres’ of Firefox Relay) kunnen hier niet worden gebruikt. Gebruik uw zakelijke e-mailadres zelf.',
  'error.domain_not_allowed.reserved':
    'Dit is een voorbeeldadres dat geen e-mail kan ontvangen. Gebruik uw zakelijke e-mailadres.',
  'error.busy': 'Er melden zich op dit moment veel mensen aan. Probeer het over een minuut opnieuw.',
  'error.challenge_failed': 'De pagina kon de beveiligingscontrole niet afronden. Probeer het opnieuw.',
  'error.challenge_required': 'De pagina kon de beveiligingscontrole niet afronden. Probeer het opnieuw.',

  // Access model.
  'common.identity.body':
    'Bestanden die beveiligd zijn voor uw e-mailadres, of voor het domein van uw organisatie, gaan open wanneer u zich met dit adres aanmeldt.',
  'common.pendingApproval.heading': 'Wacht op goedkeuring',
  'common.pendingApproval.body':
    'Een verantwoordelijke bij {organization} beslist of u toegang krijgt. U ontvangt in elk geval een e-mail. U kunt deze pagina sluiten.',
  'common.notEligible.heading': 'We kunnen geen toegang instellen voor dit adres',
  'common.notEligible.not_partner':
    'Aanmelden kan hier alleen voor partnerorganisaties van {organization}. Moet u een bestand openen, vraag het dan aan wie het deelde, of neem contact op met {support}.',
  'common.notEligible.no_recent_mail':
    'We konden niet bevestigen dat {organization} onlangs mail naar dit adres heeft gestuurd. Vraag het aan wie het bestand deelde, of neem contact op met {support}.',
  'common.notEligible.denied':
    'Een verantwoordelijke bij {organization} heeft dit verzoek niet goedgekeurd. Denkt u dat dit een vergissing is, neem dan contact op met {support}.',
  'common.notEligible.revoked':
    '{organization} heeft de toegang voor dit adres ingetrokken. Denkt u dat dit een vergissing is, neem dan contact op met {support}.',
  'email.notEligible.subject': 'Over uw aanmelding bij {organization}',
  'email.approval.subject': 'Er wacht een verzoek om gasttoegang op u bij {organization}',
  'email.approval.body':
    '{email} (domein {domain}) heeft dit e-mailadres bevestigd op de aanmeldpagina van {organization} en vraagt om een gastaccount.',
  'email.approval.button': 'Verzoek bekijken',
  'email.approval.note':
    'Het openen van de link beslist niets: kies Goedkeuren of Weigeren op de pagina. Het verzoek verloopt over {days, plural, one {# dag} other {# dagen}}.',
  'page.approval.heading': 'Verzoek om gasttoegang',
  'page.approval.body': '{email} (domein {domain}) vraagt om een gastaccount bij {organization}.',
  'page.approval.approve': 'Goedkeuren',
  'page.approval.deny': 'Weigeren',
  'page.approval.approved': 'Goedgekeurd. De persoon krijgt een e-mail zodra het account klaar is.',
  'page.approval.denied': 'Geweigerd. De persoon krijgt hierover een e-mail.',
  'error.domain_not_allowed.paused':
    'Aanmelden vanaf dit domein is op dit moment gepauzeerd. Bericht van de beheerder: {reason}',
  'error.domain_not_allowed.capped':
    'De aanmeldingen van vandaag voor dit domein hebben de limiet van de beheerder bereikt. Probeer het morgen opnieuw.',
  'error.already_decided': 'Over dit verzoek is al beslist.',
  'error.approval_not_found': 'Deze goedkeuringslink is ongeldig of het verzoek is verlopen.',
};
