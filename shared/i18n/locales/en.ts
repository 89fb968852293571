/**
 * English: the source of truth. Every other locale has exactly these keys (the `Messages` type and a test
 * enforce it) and the same `{placeholders}`.
 *
 * Notes for translators:
 * - Readers are not technical and may be reading on a phone. Keep it plain, short and friendly.
 * - `{name}` is replaced by a value; `{n, plural, one {…} other {…}}` picks a form by number and `#` is the
 *   number. Give every plural form your language needs (Arabic: zero, one, two, few, many, other).
 * - Button names quoted in sentences ("Sign in", "Confirm") must match the button keys.
 * - Keys `error.<code>` follow the API's error codes; `error.domain_not_allowed.<reason>` its reasons.
 */
export const en = {
  // Language switcher. `language.name` is this language's own name, shown as is in every locale.
  'language.name': 'English',
  'language.label': 'Language',

  // Shared by the emails and the page.
  'common.signIn': 'Sign in',
  'common.support': 'Need help? Contact {support}.',
  'common.privacy': 'Privacy notice',

  // Guest lifecycle: access hints, leave and reset outcomes, reminders and renewal.
  'common.acceptInvitation': 'Accept invitation',
  'common.access.delay':
    'Access can take a few minutes to reach Office apps, and up to several hours when it comes through a group. If a file does not open yet, try again later.',
  'common.access.apps':
    'Open protected files with Word, Excel, PowerPoint or Outlook on Windows, Mac or the web; with the Microsoft Purview Information Protection viewer for protected PDF and .pfile files; and with the Office mobile apps on iPhone, iPad and Android.',
  'common.access.homeTenant':
    'Your organisation uses Microsoft 365: when Microsoft asks, sign in with your work account, not with a one-time passcode.',
  'common.outcome.guestRemoved.heading': 'Your guest account has been deleted',
  'common.outcome.guestRemoved.body':
    '{organization} has deleted the guest account of this email address. Protected files shared with it will no longer open for you.',
  'common.outcome.notManaged.heading': 'This account cannot be changed here',
  'common.outcome.notManaged.body':
    'This email address has an account with {organization} that this page did not create, so it cannot be changed here. Please contact {support}.',
  'common.outcome.redemptionReset.heading': 'Start again with your account',
  'common.outcome.redemptionReset.body':
    'We have reset your guest account with {organization}. Select Accept invitation and sign in with the account you want to use from now on.',
  'email.verification.intent.leave': 'Confirming this code deletes your guest account with {organization}.',
  'email.verification.intent.reset':
    'Confirming this code resets your guest account with {organization}, so you can accept it again with a different account.',
  'email.reset.subject': 'Accept your guest account with {organization} again',
  'email.reminder.subject': 'Reminder: accept your guest account with {organization}',
  'email.reminder.body':
    '{organization} created a guest account for you, but it has not been accepted yet. Select Accept invitation and sign in with this email address to open the files shared with you.',
  'email.renewal.subject': 'Your guest account with {organization} ends on {date}',
  'email.renewal.body':
    'Your guest account with {organization} ends on {date}. To keep it, confirm your email address again before then: it takes a minute.',
  'email.renewal.button': 'Keep my guest account',
  'page.help.leave': 'Delete my guest account',
  'page.help.reset': 'Start over with a different account',
  'page.intent.leave.heading': 'Delete your guest account',
  'page.intent.leave.body':
    'Enter the email address of your guest account. We will send you a code; confirming it deletes the account.',
  'page.intent.reset.heading': 'Start over with a different account',
  'page.intent.reset.body':
    'Enter the email address of your guest account. We will send you a code; confirming it resets the account so you can accept it again, for example with your new work account.',

  'common.next.heading': 'What happens next',
  'common.next.signIn': 'Select Sign in and use this same email address.',
  'common.next.passcode': 'Microsoft may email you a one-time passcode. Enter it to finish signing in.',
  'common.next.reopen': 'Then open the protected file again.',
  'common.next.delay':
    'Access can take a few minutes. If the file does not open yet, wait a few minutes and try again.',
  'common.ready.guestCreated.heading': 'Your guest account is ready',
  'common.ready.guestCreated.body':
    '{organization} has created a guest account for you, so you can open the files it shares with you.',
  'common.ready.existingGuest.heading': 'You already have a guest account',
  'common.ready.existingGuest.body':
    'This email address already has a guest account with {organization}. Use it to open the file.',
  'common.ready.existingMember.heading': 'Use your organisation account',
  'common.ready.existingMember.body':
    'This email address belongs to an {organization} account, so you do not need a guest account. Sign in with your organisation account, then open the file again.',
  'common.failed.heading': 'We could not create your account',
  // Identity first: the guest account proves who you are; the file's own permissions decide what opens.
  'common.identity.body':
    'Files that were protected for your email address, or for your organisation’s domain, open when you sign in with this address.',
  'common.pendingApproval.heading': 'Waiting for approval',
  'common.pendingApproval.body':
    'A sponsor at {organization} decides whether you get access. We will email you either way. You can close this page.',
  'common.notEligible.heading': 'We cannot set up access for this address',
  'common.notEligible.not_partner':
    'Sign-up here is open only to {organization}’s partner organisations. If you need to open a file, ask the person who shared it, or contact {support}.',
  'common.notEligible.no_recent_mail':
    'We could not confirm that {organization} recently sent mail to this address. Ask the person who shared the file, or contact {support}.',
  'common.notEligible.denied':
    'A sponsor at {organization} did not approve this request. If you think this is a mistake, contact {support}.',
  'common.notEligible.revoked':
    'Access for this address has been withdrawn by {organization}. If you think this is a mistake, contact {support}.',

  // Email: verification code. The subject starts with the code so it shows in notifications.
  'email.verification.subject': '{code} is your code for {organization}',
  'email.verification.preheader':
    'Enter this code on the sign-up page. It expires in {minutes, plural, one {# minute} other {# minutes}}.',
  'email.verification.codeLabel': 'Your verification code',
  'email.verification.instructions':
    'Enter this code on the {organization} sign-up page to confirm your email address. It expires in {minutes, plural, one {# minute} other {# minutes}}.',
  'email.verification.button': 'Open the sign-up page',
  'email.verification.linkNote':
    'Opening the page only fills in the code for you. Nothing is confirmed until you select Confirm there.',
  'email.verification.ignore': 'If you did not ask for this code, ignore this email: nothing will happen.',
  'email.verification.retention':
    'We keep your email address for at most {days, plural, one {# day} other {# days}} to handle your sign-up, and then delete it.',

  // Email: account ready, one subject per outcome.
  'email.ready.guestCreated.subject': 'Your guest account with {organization} is ready',
  'email.ready.existingGuest.subject': 'You already have a guest account with {organization}',
  'email.ready.existingMember.subject': 'Use your {organization} account to open the file',

  // Email: sign-up failed.
  'email.failed.subject': 'We could not finish your sign-up with {organization}',
  'email.failed.body':
    'Sorry, something went wrong on our side while we were creating your guest account. Please contact {support}: they can help you open the file.',

  // Email: not eligible (also sent when a sponsor declines).
  'email.notEligible.subject': 'About your sign-up with {organization}',

  // Email: to a sponsor. The subject never contains the requester's address.
  'email.approval.subject': 'A guest access request is waiting for you at {organization}',
  'email.approval.body':
    '{email} (domain {domain}) confirmed this email address on the {organization} sign-up page and asks for a guest account.',
  'email.approval.button': 'Review the request',
  'email.approval.note':
    'Opening the link does not decide anything: choose Approve or Deny on the page. The request expires in {days, plural, one {# day} other {# days}}.',

  // Email: shared parts.
  'email.linkFallback': 'If the button does not work, copy this link into your browser:',
  'email.reason':
    'You are receiving this email because this address was entered on the {organization} sign-up page for protected files.',

  // Page.
  'page.title': 'Open a protected file from {organization}',
  'page.intro':
    'Someone at {organization} shared a protected file with your work email address. To open it, you need a guest account. Confirm your email address here and we will set one up for you.',
  'page.progress': 'Step {step} of {total}',
  'page.working': 'Please wait…',
  'page.startAgain': 'Start again',
  'page.tryAgain': 'Try again',

  'page.email.heading': 'Enter your work email address',
  'page.email.label': 'Work email address',
  'page.email.hint': 'Use the address the protected file was shared with.',
  'page.email.submit': 'Send me a code',
  'page.email.required': 'Enter your email address.',
  'page.email.privacy': 'We use your email address only to send you a code and to set up your access.',

  'page.code.heading': 'Check your email',
  'page.code.sent': 'We sent a 6-digit code to {email}.',
  'page.code.label': 'Verification code',
  'page.code.hint': 'Enter the 6 digits from the email. You can paste the whole code.',
  'page.code.submit': 'Confirm',
  'page.code.required': 'Enter the 6-digit code from the email.',
  'page.code.prefilled': 'The code from your email is filled in. Select Confirm to continue.',
  'page.code.junk': 'No email yet? It can take a minute to arrive. Also check your junk or spam folder.',
  'page.code.eta': 'Your code should arrive by {time}.',
  'page.code.undeliverable':
    'We could not deliver email to this address: it bounced or its mail server refused it. Check the address, or use a different one.',
  'page.code.resend': 'Send a new code',
  'page.code.resendCountdown':
    'You can ask for a new code in {seconds, plural, one {# second} other {# seconds}}.',
  'page.code.resent': 'We sent you a new code. Use the code from the latest email.',
  'page.code.changeEmail': 'Use a different email address',

  'page.waiting.heading': 'Setting up your access',
  'page.waiting.body': 'This usually takes less than a minute. Please keep this page open.',
  'page.waiting.slow':
    'This is taking longer than usual. Please keep this page open: we are still working on it.',

  'page.approval.heading': 'Guest access request',
  'page.approval.body': '{email} (domain {domain}) asks for a guest account with {organization}.',
  'page.approval.approve': 'Approve',
  'page.approval.deny': 'Deny',
  'page.approval.approved': 'Approved. The person will get an email when their account is ready.',
  'page.approval.denied': 'Denied. The person will get an email saying so.',

  // Errors, by API error code (and domain_not_allowed reason).
  'error.invalid_email': 'That does not look like an email address. Check it and try again.',
  'error.domain_not_allowed': 'This email address cannot be used here. Please use your work email address.',
  'error.domain_not_allowed.consumer':
    'Personal email addresses, such as Gmail or Outlook.com, cannot be used here. Please use your work email address.',
  'error.domain_not_allowed.disposable':
    'Temporary email addresses cannot be used here. Please use your work email address.',
  'error.domain_not_allowed.organization':
    'This address belongs to {organization}. You do not need to sign up: sign in with your organisation account instead.',
  'error.domain_not_allowed.blocked':
    'Email addresses from this domain cannot be used here. Please use your work email address, or contact {support}.',
  'error.domain_not_allowed.not_allowed':
    'Only some organisations can sign up here, and this address is not from one of them. Please use the work email address the file was shared with, or contact {support}.',
  'error.invalid_request': 'Something went wrong on this page. Please reload it and try again.',
  'error.invalid_code': 'That code is wrong or has expired. Check the latest email, or ask for a new code.',
  'error.signup_not_found': 'This sign-up has expired. Please start again.',
  'error.locked': 'Too many tries. For your security, please start again.',
  'error.already_verified': 'Your email address is already confirmed. We are setting up your access.',
  'error.rate_limited':
    'Too many attempts. Please wait {seconds, plural, one {# second} other {# seconds}} and try again.',
  'error.resend_too_soon': 'We just sent you a code. Please wait a moment before asking for another one.',
  'error.signups_paused': 'Sign-ups are paused at the moment. Please try again later.',
  'error.domain_not_allowed.paused':
    'Sign-ups from this domain are paused at the moment. Message from the administrator: {reason}',
  'error.domain_not_allowed.capped':
    'Today’s sign-ups for this domain have reached the limit set by the administrator. Please try again tomorrow.',
  'error.already_decided': 'This request has already been decided.',
  'error.approval_not_found': 'This approval link is not valid, or the request has expired.',
  'error.failed': 'We could not create your account. Please contact {support}.',
  'error.network': 'We could not reach the service. Check your internet connection and try again.',
  'error.generic': 'Something went wrong. Please try again. If it keeps happening, contact {support}.',
  // Relay and reserved domains (req 30), the start budget (req 17), the proof-of-work check (req 20).
  'error.domain_not_allowed.relay':
    'Email forwarding and alias addresses (such as Hide My Email or Firefox Relay) cannot be used here. Please use your work email address itself.',
  'error.domain_not_allowed.reserved':
    'This is an example address that cannot receive email. Please use your work email address.',
  'error.busy': 'Many people are signing up right now. Please try again in a minute.',
  'error.challenge_failed': 'The page could not complete its security check. Please try again.',
  'error.challenge_required': 'The page could not complete its security check. Please try again.',
};

export type MessageKey = keyof typeof en;

/** A complete catalogue: exactly the keys of `en`, no more, no fewer. */
export type Messages = { readonly [K in MessageKey]: string };
