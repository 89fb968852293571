import type { Messages } from './en';

/**
 * French. "Vous". French typography: a no-break space (\u00a0) before ? ! : ; and inside « ».
 */
export const fr: Messages = {
  'language.name': 'Français',
  'language.label': 'Langue',

  'common.signIn': 'Se connecter',
  'common.support': 'Besoin d’aide\u00a0? Contactez {support}.',
  'common.privacy': 'Politique de confidentialité',

  // Guest lifecycle: access hints, leave and reset outcomes, reminders and renewal.
  'common.acceptInvitation': 'Accepter l’invitation',
  'common.access.delay':
    'L’accès peut mettre quelques minutes à atteindre les applications Office, et jusqu’à plusieurs heures lorsqu’il passe par un groupe. Si un fichier ne s’ouvre pas encore, réessayez plus tard.',
  'common.access.apps':
    'Ouvrez les fichiers protégés avec Word, Excel, PowerPoint ou Outlook sous Windows, sur Mac ou sur le web ; avec la visionneuse Microsoft Purview Information Protection pour les fichiers PDF et .pfile protégés ; et avec les applications Office mobiles sur iPhone, iPad et Android.',
  'common.access.homeTenant':
    'Votre organisation utilise Microsoft 365 : quand Microsoft vous le demande, connectez-vous avec votre compte professionnel, et non avec un code à usage unique.',
  'common.outcome.guestRemoved.heading': 'Votre compte invité a été supprimé',
  'common.outcome.guestRemoved.body':
    '{organization} a supprimé le compte invité de cette adresse e-mail. Les fichiers protégés partagés avec elle ne s’ouvriront plus pour vous.',
  'common.outcome.notManaged.heading': 'Ce compte ne peut pas être modifié ici',
  'common.outcome.notManaged.body':
    'Cette adresse e-mail a un compte chez {organization} qui n’a pas été créé par cette page : il ne peut donc pas être modifié ici. Veuillez contacter {support}.',
  'common.outcome.redemptionReset.heading': 'Recommencez avec votre compte',
  'common.outcome.redemptionReset.body':
    'Nous avons réinitialisé votre compte invité chez {organization}. Sélectionnez Accepter l’invitation et connectez-vous avec le compte que vous voulez utiliser désormais.',
  'email.verification.intent.leave': 'Confirmer ce code supprime votre compte invité chez {organization}.',
  'email.verification.intent.reset':
    'Confirmer ce code réinitialise votre compte invité chez {organization}, pour que vous puissiez l’accepter à nouveau avec un autre compte.',
  'email.reset.subject': 'Acceptez à nouveau votre compte invité chez {organization}',
  'email.reminder.subject': 'Rappel : acceptez votre compte invité chez {organization}',
  'email.reminder.body':
    '{organization} a créé un compte invité pour vous, mais il n’a pas encore été accepté. Sélectionnez Accepter l’invitation et connectez-vous avec cette adresse e-mail pour ouvrir les fichiers partagés avec vous.',
  'email.renewal.subject': 'Votre compte invité chez {organization} prend fin le {date}',
  'email.renewal.body':
    'Votre compte invité chez {organization} prend fin le {date}. Pour le conserver, confirmez à nouveau votre adresse e-mail d’ici là : cela prend une minute.',
  'email.renewal.button': 'Conserver mon compte invité',
  'page.help.leave': 'Supprimer mon compte invité',
  'page.help.reset': 'Recommencer avec un autre compte',
  'page.intent.leave.heading': 'Supprimer votre compte invité',
  'page.intent.leave.body':
    'Saisissez l’adresse e-mail de votre compte invité. Nous vous enverrons un code ; le confirmer supprime le compte.',
  'page.intent.reset.heading': 'Recommencer avec un autre compte',
  'page.intent.reset.body':
    'Saisissez l’adresse e-mail de votre compte invité. Nous vous enverrons un code ; le confirmer réinitialise le compte pour que vous puissiez l’accepter à nouveau, par exemple avec votre nouveau compte professionnel.',

  'common.next.heading': 'Prochaines étapes',
  'common.next.signIn': 'Sélectionnez «\u00a0Se connecter\u00a0» et utilisez cette même adresse e-mail.',
  'common.next.passcode':
    'Microsoft peut vous envoyer un code à usage unique par e-mail. Saisissez-le pour terminer la connexion.',
  'common.next.reopen': 'Ouvrez ensuite à nouveau le fichier protégé.',
  'common.next.delay':
    'L’accès peut prendre quelques minutes. Si le fichier ne s’ouvre pas encore, patientez quelques minutes puis réessayez.',
  'common.ready.guestCreated.heading': 'Votre compte invité est prêt',
  'common.ready.guestCreated.body':
    '{organization} a créé un compte invité pour vous. Vous pouvez maintenant ouvrir les fichiers partagés avec vous.',
  'common.ready.existingGuest.heading': 'Vous avez déjà un compte invité',
  'common.ready.existingGuest.body':
    'Cette adresse e-mail a déjà un compte invité chez {organization}. Utilisez-le pour ouvrir le fichier.',
  'common.ready.existingMember.heading': 'Utilisez le compte de votre organisation',
  'common.ready.existingMember.body':
    'Cette adresse e-mail correspond à un compte {organization}\u00a0: vous n’avez donc pas besoin de compte invité. Connectez-vous avec le compte de votre organisation, puis ouvrez à nouveau le fichier.',
  'common.failed.heading': 'Nous n’avons pas pu créer votre compte',

  'email.verification.subject': '{code} est votre code pour {organization}',
  'email.verification.preheader':
    'Saisissez ce code sur la page d’inscription. Il expire dans {minutes, plural, one {# minute} other {# minutes}}.',
  'email.verification.codeLabel': 'Votre code de vérification',
  'email.verification.instructions':
    'Saisissez ce code sur la page d’inscription de {organization} pour confirmer votre adresse e-mail. Il expire dans {minutes, plural, one {# minute} other {# minutes}}.',
  'email.verification.button': 'Ouvrir la page d’inscription',
  'email.verification.linkNote':
    'L’ouverture de la page ne fait que remplir le code à votre place. Rien n’est confirmé tant que vous n’y avez pas sélectionné «\u00a0Confirmer\u00a0».',
  'email.verification.ignore':
    'Si vous n’avez pas demandé ce code, ignorez cet e-mail\u00a0: il ne se passera rien.',
  'email.verification.retention':
    'Nous conservons votre adresse e-mail {days, plural, one {# jour} other {# jours}} au maximum pour traiter votre inscription, puis nous la supprimons.',

  'email.ready.guestCreated.subject': 'Votre compte invité chez {organization} est prêt',
  'email.ready.existingGuest.subject': 'Vous avez déjà un compte invité chez {organization}',
  'email.ready.existingMember.subject': 'Utilisez votre compte {organization} pour ouvrir le fichier',

  'email.failed.subject': 'Nous n’avons pas pu finaliser votre inscription auprès de {organization}',
  'email.failed.body':
    'Désolés, un problème est survenu de notre côté pendant la création de votre compte invité. Veuillez contacter {support}, qui pourra vous aider à ouvrir le fichier.',

  'email.linkFallback': 'Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur\u00a0:',
  'email.reason':
    'Vous recevez cet e-mail parce que cette adresse a été saisie sur la page d’inscription de {organization} pour les fichiers protégés.',

  'page.title': 'Ouvrir un fichier protégé de {organization}',
  'page.intro':
    'Une personne de {organization} a partagé un fichier protégé avec votre adresse e-mail professionnelle. Pour l’ouvrir, vous avez besoin d’un compte invité. Confirmez votre adresse e-mail ici et nous le créerons pour vous.',
  'page.progress': 'Étape {step} sur {total}',
  'page.working': 'Veuillez patienter…',
  'page.startAgain': 'Recommencer',
  'page.tryAgain': 'Réessayer',

  'page.email.heading': 'Saisissez votre adresse e-mail professionnelle',
  'page.email.label': 'Adresse e-mail professionnelle',
  'page.email.hint': 'Utilisez l’adresse avec laquelle le fichier protégé a été partagé.',
  'page.email.submit': 'M’envoyer un code',
  'page.email.required': 'Saisissez votre adresse e-mail.',
  'page.email.privacy':
    'Nous utilisons votre adresse e-mail uniquement pour vous envoyer un code et pour configurer votre accès.',

  'page.code.heading': 'Consultez vos e-mails',
  'page.code.sent': 'Nous avons envoyé un code à 6 chiffres à {email}.',
  'page.code.label': 'Code de vérification',
  'page.code.hint': 'Saisissez les 6 chiffres reçus par e-mail. Vous pouvez aussi coller le code en entier.',
  'page.code.submit': 'Confirmer',
  'page.code.required': 'Saisissez le code à 6 chiffres reçu par e-mail.',
  'page.code.prefilled':
    'Le code de votre e-mail est déjà saisi. Sélectionnez «\u00a0Confirmer\u00a0» pour continuer.',
  'page.code.junk':
    'Pas encore d’e-mail\u00a0? Il peut mettre une minute à arriver. Vérifiez aussi votre dossier de courrier indésirable.',
  'page.code.eta': 'Votre code devrait arriver d’ici {time}.',
  'page.code.undeliverable':
    'Nous n’avons pas pu envoyer d’e-mail à cette adresse : il a été renvoyé ou refusé par son serveur de messagerie. Vérifiez l’adresse ou utilisez-en une autre.',
  'page.code.resend': 'Envoyer un nouveau code',
  'page.code.resendCountdown':
    'Vous pourrez demander un nouveau code dans {seconds, plural, one {# seconde} other {# secondes}}.',
  'page.code.resent': 'Nous vous avons envoyé un nouveau code. Utilisez le code du dernier e-mail reçu.',
  'page.code.changeEmail': 'Utiliser une autre adresse e-mail',

  'page.waiting.heading': 'Configuration de votre accès',
  'page.waiting.body': 'Cela prend généralement moins d’une minute. Veuillez garder cette page ouverte.',
  'page.waiting.slow':
    'Cela prend plus de temps que d’habitude. Veuillez garder cette page ouverte\u00a0: nous y travaillons encore.',

  'error.invalid_email': 'Cela ne ressemble pas à une adresse e-mail. Vérifiez-la et réessayez.',
  'error.domain_not_allowed':
    'Cette adresse e-mail ne peut pas être utilisée ici. Veuillez utiliser votre adresse e-mail professionnelle.',
  'error.domain_not_allowed.consumer':
    'Les adresses e-mail personnelles, comme Gmail ou Outlook.com, ne peuvent pas être utilisées ici. Veuillez utiliser votre adresse e-mail professionnelle.',
  'error.domain_not_allowed.disposable':
    'Les adresses e-mail temporaires ne peuvent pas être utilisées ici. Veuillez utiliser votre adresse e-mail professionnelle.',
  'error.domain_not_allowed.organization':
    'Cette adresse appartient à {organization}. Vous n’avez pas besoin de vous inscrire\u00a0: connectez-vous plutôt avec le compte de votre organisation.',
  'error.domain_not_allowed.blocked':
    'Les adresses e-mail de ce domaine ne peuvent pas être utilisées ici. Veuillez utiliser votre adresse e-mail professionnelle ou contacter {support}.',
  'error.domain_not_allowed.not_allowed':
    'Seules certaines organisations peuvent s’inscrire ici, et cette adresse n’en fait pas partie. Veuillez utiliser l’adresse e-mail professionnelle avec laquelle le fichier a été partagé, ou contacter {support}.',
  'error.invalid_request': 'Un problème est survenu sur cette page. Veuillez la recharger et réessayer.',
  'error.invalid_code':
    'Ce code est incorrect ou a expiré. Vérifiez le dernier e-mail reçu ou demandez un nouveau code.',
  'error.signup_not_found': 'Cette inscription a expiré. Veuillez recommencer.',
  'error.locked': 'Trop de tentatives. Pour votre sécurité, veuillez recommencer.',
  'error.already_verified': 'Votre adresse e-mail est déjà confirmée. Nous configurons votre accès.',
  'error.rate_limited':
    'Trop de tentatives. Veuillez patienter {seconds, plural, one {# seconde} other {# secondes}}, puis réessayez.',
  'error.resend_too_soon':
    'Nous venons de vous envoyer un code. Veuillez patienter un instant avant d’en demander un autre.',
  'error.signups_paused': 'Les inscriptions sont suspendues pour le moment. Veuillez réessayer plus tard.',
  'error.failed': 'Nous n’avons pas pu créer votre compte. Veuillez contacter {support}.',
  'error.network': 'Impossible de joindre le service. Vérifiez votre connexion Internet et réessayez.',
  'error.generic':
    'Un problème est survenu. Veuillez réessayer. Si le problème persiste, contactez {support}.',
  // Relay and reserved domains (req 30), the start budget (req 17), the proof-of-work check (req 20).
  'error.domain_not_allowed.relay':
    'Les adresses de transfert et les alias (comme « Masquer mon adresse e-mail » ou Firefox Relay) ne peuvent pas être utilisés ici. Veuillez utiliser directement votre adresse e-mail professionnelle.',
  'error.domain_not_allowed.reserved':
    'Il s’agit d’une adresse d’exemple qui ne peut pas recevoir d’e-mails. Veuillez utiliser votre adresse e-mail professionnelle.',
  'error.busy': 'Beaucoup de personnes s’inscrivent en ce moment. Veuillez réessayer dans une minute.',
  'error.challenge_failed': 'La page n’a pas pu terminer sa vérification de sécurité. Veuillez réessayer.',
  'error.challenge_required': 'La page n’a pas pu terminer sa vérification de sécurité. Veuillez réessayer.',

  // Access model.
  'common.identity.body':
    'Les fichiers protégés pour votre adresse e-mail, ou pour le domaine de votre organisation, s’ouvrent lorsque vous vous connectez avec cette adresse.',
  'common.pendingApproval.heading': 'En attente d’approbation',
  'common.pendingApproval.body':
    'Un responsable chez {organization} décide si vous obtenez l’accès. Vous recevrez un e-mail dans tous les cas. Vous pouvez fermer cette page.',
  'common.notEligible.heading': 'Nous ne pouvons pas configurer l’accès pour cette adresse',
  'common.notEligible.not_partner':
    'L’inscription est réservée aux organisations partenaires de {organization}. Si vous devez ouvrir un fichier, demandez à la personne qui l’a partagé, ou contactez {support}.',
  'common.notEligible.no_recent_mail':
    'Nous n’avons pas pu confirmer que {organization} a récemment envoyé un e-mail à cette adresse. Demandez à la personne qui a partagé le fichier, ou contactez {support}.',
  'common.notEligible.denied':
    'Un responsable chez {organization} n’a pas approuvé cette demande. Si vous pensez qu’il s’agit d’une erreur, contactez {support}.',
  'common.notEligible.revoked':
    '{organization} a retiré l’accès pour cette adresse. Si vous pensez qu’il s’agit d’une erreur, contactez {support}.',
  'email.notEligible.subject': 'À propos de votre inscription auprès de {organization}',
  'email.approval.subject': 'Une demande d’accès invité vous attend chez {organization}',
  'email.approval.body':
    '{email} (domaine {domain}) a confirmé cette adresse e-mail sur la page d’inscription de {organization} et demande un compte invité.',
  'email.approval.button': 'Examiner la demande',
  'email.approval.note':
    'Ouvrir le lien ne décide rien : choisissez Approuver ou Refuser sur la page. La demande expire dans {days, plural, one {# jour} other {# jours}}.',
  'page.approval.heading': 'Demande d’accès invité',
  'page.approval.body': '{email} (domaine {domain}) demande un compte invité auprès de {organization}.',
  'page.approval.approve': 'Approuver',
  'page.approval.deny': 'Refuser',
  'page.approval.approved': 'Approuvée. La personne recevra un e-mail quand son compte sera prêt.',
  'page.approval.denied': 'Refusée. La personne recevra un e-mail l’en informant.',
  'error.domain_not_allowed.paused':
    'Les inscriptions depuis ce domaine sont suspendues pour le moment. Message de l’administrateur : {reason}',
  'error.domain_not_allowed.capped':
    'Les inscriptions du jour pour ce domaine ont atteint la limite fixée par l’administrateur. Veuillez réessayer demain.',
  'error.already_decided': 'Cette demande a déjà été traitée.',
  'error.approval_not_found': 'Ce lien d’approbation n’est pas valide, ou la demande a expiré.',
};
