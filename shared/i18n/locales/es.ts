import type { Messages } from './en';

/** Spanish, neutral between Spain and Latin America. "Usted", as is usual between organisations. */
export const es: Messages = {
  'language.name': 'Español',
  'language.label': 'Idioma',

  'common.signIn': 'Iniciar sesión',
  'common.support': '¿Necesita ayuda? Póngase en contacto con {support}.',
  'common.privacy': 'Aviso de privacidad',

  // Guest lifecycle: access hints, leave and reset outcomes, reminders and renewal.
  'common.acceptInvitation': 'Aceptar invitación',
  'common.access.delay':
    'El acceso puede tardar unos minutos en llegar a las aplicaciones de Office, y hasta varias horas cuando se concede a través de un grupo. Si un archivo aún no se abre, inténtelo más tarde.',
  'common.access.apps':
    'Abra los archivos protegidos con Word, Excel, PowerPoint u Outlook en Windows, Mac o la web; con el visor de Microsoft Purview Information Protection para archivos PDF y .pfile protegidos; y con las aplicaciones móviles de Office en iPhone, iPad y Android.',
  'common.access.homeTenant':
    'Su organización usa Microsoft 365: cuando Microsoft se lo pida, inicie sesión con su cuenta profesional, no con un código de un solo uso.',
  'common.outcome.guestRemoved.heading': 'Su cuenta de invitado se ha eliminado',
  'common.outcome.guestRemoved.body':
    '{organization} ha eliminado la cuenta de invitado de esta dirección de correo. Los archivos protegidos compartidos con ella ya no se abrirán para usted.',
  'common.outcome.notManaged.heading': 'Esta cuenta no se puede cambiar aquí',
  'common.outcome.notManaged.body':
    'Esta dirección de correo tiene una cuenta en {organization} que no se creó desde esta página, así que no se puede cambiar aquí. Póngase en contacto con {support}.',
  'common.outcome.redemptionReset.heading': 'Empiece de nuevo con su cuenta',
  'common.outcome.redemptionReset.body':
    'Hemos restablecido su cuenta de invitado en {organization}. Seleccione Aceptar invitación e inicie sesión con la cuenta que quiera usar a partir de ahora.',
  'email.verification.intent.leave':
    'Al confirmar este código se elimina su cuenta de invitado en {organization}.',
  'email.verification.intent.reset':
    'Al confirmar este código se restablece su cuenta de invitado en {organization}, para que pueda aceptarla de nuevo con otra cuenta.',
  'email.reset.subject': 'Acepte de nuevo su cuenta de invitado en {organization}',
  'email.reminder.subject': 'Recordatorio: acepte su cuenta de invitado en {organization}',
  'email.reminder.body':
    '{organization} creó una cuenta de invitado para usted, pero aún no se ha aceptado. Seleccione Aceptar invitación e inicie sesión con esta dirección de correo para abrir los archivos compartidos con usted.',
  'email.renewal.subject': 'Su cuenta de invitado en {organization} termina el {date}',
  'email.renewal.body':
    'Su cuenta de invitado en {organization} termina el {date}. Para conservarla, vuelva a confirmar su dirección de correo antes de esa fecha: solo lleva un minuto.',
  'email.renewal.button': 'Conservar mi cuenta de invitado',
  'page.help.leave': 'Eliminar mi cuenta de invitado',
  'page.help.reset': 'Empezar de nuevo con otra cuenta',
  'page.intent.leave.heading': 'Eliminar su cuenta de invitado',
  'page.intent.leave.body':
    'Introduzca la dirección de correo de su cuenta de invitado. Le enviaremos un código; al confirmarlo se elimina la cuenta.',
  'page.intent.reset.heading': 'Empezar de nuevo con otra cuenta',
  'page.intent.reset.body':
    'Introduzca la dirección de correo de su cuenta de invitado. Le enviaremos un código; al confirmarlo se restablece la cuenta para que pueda aceptarla de nuevo, por ejemplo con su nueva cuenta profesional.',

  'common.next.heading': 'Próximos pasos',
  'common.next.signIn': 'Seleccione «Iniciar sesión» y use esta misma dirección de correo electrónico.',
  'common.next.passcode':
    'Es posible que Microsoft le envíe por correo electrónico un código de un solo uso. Escríbalo para terminar de iniciar sesión.',
  'common.next.reopen': 'Después, vuelva a abrir el archivo protegido.',
  'common.next.delay':
    'El acceso puede tardar unos minutos. Si el archivo todavía no se abre, espere unos minutos y vuelva a intentarlo.',
  'common.ready.guestCreated.heading': 'Su cuenta de invitado está lista',
  'common.ready.guestCreated.body':
    '{organization} ha creado una cuenta de invitado para usted. Con ella puede abrir los archivos que se compartan con usted.',
  'common.ready.existingGuest.heading': 'Ya tiene una cuenta de invitado',
  'common.ready.existingGuest.body':
    'Esta dirección de correo electrónico ya tiene una cuenta de invitado en {organization}. Úsela para abrir el archivo.',
  'common.ready.existingMember.heading': 'Use la cuenta de su organización',
  'common.ready.existingMember.body':
    'Esta dirección de correo electrónico pertenece a una cuenta de {organization}, así que no necesita una cuenta de invitado. Inicie sesión con la cuenta de su organización y vuelva a abrir el archivo.',
  'common.failed.heading': 'No hemos podido crear su cuenta',

  'email.verification.subject': '{code} es su código para {organization}',
  'email.verification.preheader':
    'Escriba este código en la página de registro. Caduca en {minutes, plural, one {# minuto} other {# minutos}}.',
  'email.verification.codeLabel': 'Su código de verificación',
  'email.verification.instructions':
    'Escriba este código en la página de registro de {organization} para confirmar su dirección de correo electrónico. Caduca en {minutes, plural, one {# minuto} other {# minutos}}.',
  'email.verification.button': 'Abrir la página de registro',
  'email.verification.linkNote':
    'Al abrir la página solo se rellena el código por usted. No se confirma nada hasta que seleccione «Confirmar» en la página.',
  'email.verification.ignore': 'Si no ha solicitado este código, ignore este correo: no pasará nada.',
  'email.verification.retention':
    'Conservamos su dirección de correo electrónico durante {days, plural, one {# día} other {# días}} como máximo para tramitar su registro y después la eliminamos.',

  'email.ready.guestCreated.subject': 'Su cuenta de invitado en {organization} está lista',
  'email.ready.existingGuest.subject': 'Ya tiene una cuenta de invitado en {organization}',
  'email.ready.existingMember.subject': 'Use su cuenta de {organization} para abrir el archivo',

  'email.failed.subject': 'No hemos podido completar su registro en {organization}',
  'email.failed.body':
    'Lo sentimos: algo ha fallado por nuestra parte al crear su cuenta de invitado. Póngase en contacto con {support}, que podrá ayudarle a abrir el archivo.',

  'email.linkFallback': 'Si el botón no funciona, copie este enlace en su navegador:',
  'email.reason':
    'Recibe este correo porque esta dirección se introdujo en la página de registro de {organization} para archivos protegidos.',

  'page.title': 'Abrir un archivo protegido de {organization}',
  'page.intro':
    'Alguien de {organization} ha compartido un archivo protegido con su dirección de correo electrónico del trabajo. Para abrirlo, necesita una cuenta de invitado. Confirme aquí su dirección de correo y se la crearemos.',
  'page.progress': 'Paso {step} de {total}',
  'page.working': 'Espere, por favor…',
  'page.startAgain': 'Empezar de nuevo',
  'page.tryAgain': 'Volver a intentarlo',

  'page.email.heading': 'Escriba su dirección de correo electrónico del trabajo',
  'page.email.label': 'Correo electrónico del trabajo',
  'page.email.hint': 'Use la dirección con la que se compartió el archivo protegido.',
  'page.email.submit': 'Enviarme un código',
  'page.email.required': 'Escriba su dirección de correo electrónico.',
  'page.email.privacy':
    'Solo usamos su dirección de correo electrónico para enviarle un código y configurar su acceso.',

  'page.code.heading': 'Revise su correo electrónico',
  'page.code.sent': 'Hemos enviado un código de 6 dígitos a {email}.',
  'page.code.label': 'Código de verificación',
  'page.code.hint': 'Escriba los 6 dígitos del correo. También puede pegar el código completo.',
  'page.code.submit': 'Confirmar',
  'page.code.required': 'Escriba el código de 6 dígitos del correo.',
  'page.code.prefilled': 'El código de su correo ya está escrito. Seleccione «Confirmar» para continuar.',
  'page.code.junk':
    '¿Todavía no le ha llegado el correo? Puede tardar un minuto. Revise también la carpeta de correo no deseado.',
  'page.code.eta': 'Su código debería llegar antes de las {time}.',
  'page.code.undeliverable':
    'No pudimos entregar correo a esta dirección: se devolvió o su servidor de correo lo rechazó. Compruebe la dirección o use otra.',
  'page.code.resend': 'Enviar un código nuevo',
  'page.code.resendCountdown':
    'Podrá pedir un código nuevo dentro de {seconds, plural, one {# segundo} other {# segundos}}.',
  'page.code.resent': 'Le hemos enviado un código nuevo. Use el código del correo más reciente.',
  'page.code.changeEmail': 'Usar otra dirección de correo electrónico',

  'page.waiting.heading': 'Estamos configurando su acceso',
  'page.waiting.body': 'Suele tardar menos de un minuto. Mantenga abierta esta página.',
  'page.waiting.slow':
    'Está tardando más de lo habitual. Mantenga abierta esta página: seguimos trabajando en ello.',

  'error.invalid_email': 'Eso no parece una dirección de correo electrónico. Revísela y vuelva a intentarlo.',
  'error.domain_not_allowed':
    'Esta dirección de correo electrónico no se puede usar aquí. Use la dirección de correo de su trabajo.',
  'error.domain_not_allowed.consumer':
    'Aquí no se pueden usar direcciones de correo personales, como Gmail u Outlook.com. Use la dirección de correo de su trabajo.',
  'error.domain_not_allowed.disposable':
    'Aquí no se pueden usar direcciones de correo temporales. Use la dirección de correo de su trabajo.',
  'error.domain_not_allowed.organization':
    'Esta dirección pertenece a {organization}. No necesita registrarse: inicie sesión con la cuenta de su organización.',
  'error.domain_not_allowed.blocked':
    'Las direcciones de correo de este dominio no se pueden usar aquí. Use la dirección de correo de su trabajo o póngase en contacto con {support}.',
  'error.domain_not_allowed.not_allowed':
    'Solo algunas organizaciones pueden registrarse aquí, y esta dirección no es de ninguna de ellas. Use la dirección de correo del trabajo con la que se compartió el archivo o póngase en contacto con {support}.',
  'error.invalid_request': 'Algo ha fallado en esta página. Vuelva a cargarla e inténtelo de nuevo.',
  'error.invalid_code':
    'Ese código no es correcto o ha caducado. Revise el correo más reciente o pida un código nuevo.',
  'error.signup_not_found': 'Este registro ha caducado. Empiece de nuevo.',
  'error.locked': 'Demasiados intentos. Por su seguridad, empiece de nuevo.',
  'error.already_verified':
    'Su dirección de correo electrónico ya está confirmada. Estamos configurando su acceso.',
  'error.rate_limited':
    'Demasiados intentos. Espere {seconds, plural, one {# segundo} other {# segundos}} y vuelva a intentarlo.',
  'error.resend_too_soon': 'Acabamos de enviarle un código. Espere un momento antes de pedir otro.',
  'error.signups_paused': 'Los registros están en pausa en este momento. Vuelva a intentarlo más tarde.',
  'error.failed': 'No hemos podido crear su cuenta. Póngase en contacto con {support}.',
  'error.network':
    'No hemos podido conectar con el servicio. Compruebe su conexión a Internet y vuelva a intentarlo.',
  'error.generic':
    'Algo ha fallado. Vuelva a intentarlo. Si sigue ocurriendo, póngase en contacto con {support}.',
  // Relay and reserved domains (req 30), the start budget (req 17), the proof-of-work check (req 20).
  'error.domain_not_allowed.relay':
    'No se pueden usar direcciones de reenvío ni alias (como «Ocultar mi correo electrónico» o Firefox Relay). Utilice directamente su dirección de correo electrónico del trabajo.',
  'error.domain_not_allowed.reserved':
    'Esta es una dirección de ejemplo que no puede recibir correo. Utilice su dirección de correo electrónico del trabajo.',
  'error.busy': 'Hay muchas personas registrándose en este momento. Vuelva a intentarlo dentro de un minuto.',
  'error.challenge_failed':
    'La página no ha podido completar su comprobación de seguridad. Vuelva a intentarlo.',
  'error.challenge_required':
    'La página no ha podido completar su comprobación de seguridad. Vuelva a intentarlo.',

  // Access model.
  'common.identity.body':
    'Los archivos protegidos para su dirección de correo, o para el dominio de su organización, se abren cuando inicia sesión con esta dirección.',
  'common.pendingApproval.heading': 'Pendiente de aprobación',
  'common.pendingApproval.body':
    'Una persona responsable en {organization} decide si obtiene acceso. Le enviaremos un correo en cualquier caso. Puede cerrar esta página.',
  'common.notEligible.heading': 'No podemos configurar el acceso para esta dirección',
  'common.notEligible.not_partner':
    'El registro solo está abierto a las organizaciones asociadas de {organization}. Si necesita abrir un archivo, pregunte a quien lo compartió o contacte con {support}.',
  'common.notEligible.no_recent_mail':
    'No pudimos confirmar que {organization} haya enviado correo recientemente a esta dirección. Pregunte a quien compartió el archivo o contacte con {support}.',
  'common.notEligible.denied':
    'Una persona responsable en {organization} no aprobó esta solicitud. Si cree que es un error, contacte con {support}.',
  'common.notEligible.revoked':
    '{organization} ha retirado el acceso para esta dirección. Si cree que es un error, contacte con {support}.',
  'email.notEligible.subject': 'Sobre su registro con {organization}',
  'email.approval.subject': 'Tiene una solicitud de acceso de invitado pendiente en {organization}',
  'email.approval.body':
    '{email} (dominio {domain}) confirmó esta dirección en la página de registro de {organization} y solicita una cuenta de invitado.',
  'email.approval.button': 'Revisar la solicitud',
  'email.approval.note':
    'Abrir el enlace no decide nada: elija Aprobar o Denegar en la página. La solicitud caduca en {days, plural, one {# día} other {# días}}.',
  'page.approval.heading': 'Solicitud de acceso de invitado',
  'page.approval.body': '{email} (dominio {domain}) solicita una cuenta de invitado con {organization}.',
  'page.approval.approve': 'Aprobar',
  'page.approval.deny': 'Denegar',
  'page.approval.approved': 'Aprobada. La persona recibirá un correo cuando su cuenta esté lista.',
  'page.approval.denied': 'Denegada. La persona recibirá un correo informándole.',
  'error.domain_not_allowed.paused':
    'Los registros de este dominio están en pausa en este momento. Mensaje del administrador: {reason}',
  'error.domain_not_allowed.capped':
    'Los registros de hoy para este dominio han alcanzado el límite fijado por el administrador. Inténtelo de nuevo mañana.',
  'error.already_decided': 'Esta solicitud ya se ha decidido.',
  'error.approval_not_found': 'Este enlace de aprobación no es válido o la solicitud ha caducado.',
};
