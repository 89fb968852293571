import type { Messages } from './en';

/**
 * Arabic (Modern Standard Arabic), written right to left. Plurals give all six forms; the counted noun
 * follows a preposition (بعد، على) or a verb, hence دقيقتين / يومين for two. Numbers stay in Western
 * digits like the code itself.
 */
const minutes =
  '{minutes, plural, zero {# دقيقة} one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}';
const seconds =
  '{seconds, plural, zero {# ثانية} one {ثانية واحدة} two {ثانيتين} few {# ثوانٍ} many {# ثانية} other {# ثانية}}';
const days =
  '{days, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} many {# يومًا} other {# يوم}}';

export const ar: Messages = {
  'language.name': 'العربية',
  'language.label': 'اللغة',

  'common.signIn': 'تسجيل الدخول',
  'common.support': 'هل تحتاج إلى مساعدة؟ تواصل مع {support}.',
  'common.privacy': 'بيان الخصوصية',

  // Guest lifecycle: access hints, leave and reset outcomes, reminders and renewal.
  'common.acceptInvitation': 'قبول الدعوة',
  'common.access.delay':
    'قد يستغرق وصول الإذن إلى تطبيقات Office بضع دقائق، وقد يصل إلى عدة ساعات عندما يُمنح عبر مجموعة. إذا لم يُفتح الملف بعد، فحاول مرة أخرى لاحقًا.',
  'common.access.apps':
    'افتح الملفات المحمية باستخدام Word أو Excel أو PowerPoint أو Outlook على Windows أو Mac أو الويب؛ وباستخدام عارض Microsoft Purview Information Protection لملفات PDF و‎.pfile المحمية؛ وباستخدام تطبيقات Office للجوال على iPhone وiPad وAndroid.',
  'common.access.homeTenant':
    'تستخدم مؤسستك Microsoft 365: عندما تطلب Microsoft ذلك، سجّل الدخول بحساب العمل، وليس برمز مرور لمرة واحدة.',
  'common.outcome.guestRemoved.heading': 'تم حذف حساب الضيف الخاص بك',
  'common.outcome.guestRemoved.body':
    'حذفت {organization} حساب الضيف لعنوان البريد الإلكتروني هذا. لن تُفتح لك بعد الآن الملفات المحمية التي شوركت معه.',
  'common.outcome.notManaged.heading': 'لا يمكن تغيير هذا الحساب هنا',
  'common.outcome.notManaged.body':
    'لعنوان البريد الإلكتروني هذا حساب لدى {organization} لم يُنشأ من هذه الصفحة، لذلك لا يمكن تغييره هنا. يُرجى التواصل مع {support}.',
  'common.outcome.redemptionReset.heading': 'ابدأ من جديد بحسابك',
  'common.outcome.redemptionReset.body':
    'أعدنا تعيين حساب الضيف الخاص بك لدى {organization}. اختر قبول الدعوة وسجّل الدخول بالحساب الذي تريد استخدامه من الآن فصاعدًا.',
  'email.verification.intent.leave': 'يؤدي تأكيد هذا الرمز إلى حذف حساب الضيف الخاص بك لدى {organization}.',
  'email.verification.intent.reset':
    'يؤدي تأكيد هذا الرمز إلى إعادة تعيين حساب الضيف الخاص بك لدى {organization}، لتتمكن من قبوله مرة أخرى بحساب آخر.',
  'email.reset.subject': 'اقبل حساب الضيف الخاص بك لدى {organization} مرة أخرى',
  'email.reminder.subject': 'تذكير: اقبل حساب الضيف الخاص بك لدى {organization}',
  'email.reminder.body':
    'أنشأت {organization} حساب ضيف لك، لكنه لم يُقبل بعد. اختر قبول الدعوة وسجّل الدخول بعنوان البريد الإلكتروني هذا لفتح الملفات التي شوركت معك.',
  'email.renewal.subject': 'ينتهي حساب الضيف الخاص بك لدى {organization} في {date}',
  'email.renewal.body':
    'ينتهي حساب الضيف الخاص بك لدى {organization} في {date}. للاحتفاظ به، أكّد عنوان بريدك الإلكتروني مرة أخرى قبل ذلك: لن يستغرق الأمر سوى دقيقة.',
  'email.renewal.button': 'الاحتفاظ بحساب الضيف',
  'page.help.leave': 'حذف حساب الضيف الخاص بي',
  'page.help.reset': 'البدء من جديد بحساب آخر',
  'page.intent.leave.heading': 'حذف حساب الضيف',
  'page.intent.leave.body':
    'أدخل عنوان البريد الإلكتروني لحساب الضيف. سنرسل إليك رمزًا؛ ويؤدي تأكيده إلى حذف الحساب.',
  'page.intent.reset.heading': 'البدء من جديد بحساب آخر',
  'page.intent.reset.body':
    'أدخل عنوان البريد الإلكتروني لحساب الضيف. سنرسل إليك رمزًا؛ ويؤدي تأكيده إلى إعادة تعيين الحساب لتتمكن من قبوله مرة أخرى، مثلًا بحساب العمل الجديد.',

  'common.next.heading': 'الخطوات التالية',
  'common.next.signIn': 'اختر «تسجيل الدخول» واستخدم عنوان البريد الإلكتروني نفسه.',
  'common.next.passcode':
    'قد ترسل إليك Microsoft رمز مرور لمرة واحدة عبر البريد الإلكتروني. أدخله لإكمال تسجيل الدخول.',
  'common.next.reopen': 'ثم افتح الملف المحمي مرة أخرى.',
  'common.next.delay':
    'قد يستغرق تفعيل الوصول بضع دقائق. إذا لم يُفتح الملف بعد، فانتظر بضع دقائق ثم حاول مرة أخرى.',
  'common.ready.guestCreated.heading': 'حساب الضيف الخاص بك جاهز',
  'common.ready.guestCreated.body':
    'تم إنشاء حساب ضيف لك لدى {organization}، ويمكنك الآن فتح الملفات التي تتم مشاركتها معك.',
  'common.ready.existingGuest.heading': 'لديك حساب ضيف بالفعل',
  'common.ready.existingGuest.body':
    'يرتبط عنوان البريد الإلكتروني هذا بالفعل بحساب ضيف لدى {organization}. استخدمه لفتح الملف.',
  'common.ready.existingMember.heading': 'استخدم حساب مؤسستك',
  'common.ready.existingMember.body':
    'يرتبط عنوان البريد الإلكتروني هذا بحساب لدى {organization}، لذا لا تحتاج إلى حساب ضيف. سجّل الدخول بحساب مؤسستك، ثم افتح الملف مرة أخرى.',
  'common.failed.heading': 'تعذّر علينا إنشاء حسابك',

  'email.verification.subject': '{code} هو رمز التحقق الخاص بك لدى {organization}',
  'email.verification.preheader': `أدخل هذا الرمز في صفحة التسجيل. تنتهي صلاحيته بعد ${minutes}.`,
  'email.verification.codeLabel': 'رمز التحقق الخاص بك',
  'email.verification.instructions': `أدخل هذا الرمز في صفحة التسجيل لدى {organization} لتأكيد عنوان بريدك الإلكتروني. تنتهي صلاحية الرمز بعد ${minutes}.`,
  'email.verification.button': 'افتح صفحة التسجيل',
  'email.verification.linkNote':
    'فتح الصفحة يكتفي بإدخال الرمز نيابةً عنك. لن يتم تأكيد أي شيء حتى تختار «تأكيد» في الصفحة.',
  'email.verification.ignore': 'إذا لم تطلب هذا الرمز، فتجاهل هذه الرسالة، ولن يحدث شيء.',
  'email.verification.retention': `نحتفظ بعنوان بريدك الإلكتروني مدةً لا تزيد على ${days} لمعالجة تسجيلك، ثم نحذفه.`,

  'email.ready.guestCreated.subject': 'حساب الضيف الخاص بك لدى {organization} جاهز',
  'email.ready.existingGuest.subject': 'لديك بالفعل حساب ضيف لدى {organization}',
  'email.ready.existingMember.subject': 'استخدم حسابك لدى {organization} لفتح الملف',

  'email.failed.subject': 'تعذّر علينا إكمال تسجيلك لدى {organization}',
  'email.failed.body':
    'نأسف، حدث خطأ من جهتنا أثناء إنشاء حساب الضيف الخاص بك. يُرجى التواصل مع {support} لمساعدتك في فتح الملف.',

  'email.linkFallback': 'إذا لم يعمل الزر، فانسخ هذا الرابط والصقه في المتصفح:',
  'email.reason':
    'تصلك هذه الرسالة لأن هذا العنوان أُدخل في صفحة التسجيل لدى {organization} الخاصة بالملفات المحمية.',

  'page.title': 'فتح ملف محمي من {organization}',
  'page.intro':
    'شارك شخص من {organization} ملفًا محميًا مع عنوان بريدك الإلكتروني الخاص بالعمل. لفتحه، تحتاج إلى حساب ضيف. أكّد عنوان بريدك الإلكتروني هنا وسننشئ الحساب لك.',
  'page.progress': 'الخطوة {step} من {total}',
  'page.working': 'يُرجى الانتظار…',
  'page.startAgain': 'البدء من جديد',
  'page.tryAgain': 'إعادة المحاولة',

  'page.email.heading': 'أدخل عنوان بريدك الإلكتروني الخاص بالعمل',
  'page.email.label': 'البريد الإلكتروني للعمل',
  'page.email.hint': 'استخدم العنوان الذي تمت مشاركة الملف المحمي معه.',
  'page.email.submit': 'أرسل لي رمزًا',
  'page.email.required': 'أدخل عنوان بريدك الإلكتروني.',
  'page.email.privacy': 'نستخدم عنوان بريدك الإلكتروني فقط لإرسال رمز إليك وإعداد وصولك.',

  'page.code.heading': 'تحقق من بريدك الإلكتروني',
  'page.code.sent': 'أرسلنا رمزًا مكوّنًا من 6 أرقام إلى {email}.',
  'page.code.label': 'رمز التحقق',
  'page.code.hint': 'أدخل الأرقام الستة الموجودة في الرسالة. يمكنك أيضًا لصق الرمز كاملًا.',
  'page.code.submit': 'تأكيد',
  'page.code.required': 'أدخل الرمز المكوّن من 6 أرقام الموجود في الرسالة.',
  'page.code.prefilled': 'تم إدخال الرمز الموجود في رسالتك. اختر «تأكيد» للمتابعة.',
  'page.code.junk':
    'ألم تصلك الرسالة بعد؟ قد يستغرق وصولها دقيقة. تحقق أيضًا من مجلد البريد غير الهام أو البريد العشوائي.',
  'page.code.eta': 'من المتوقع أن يصلك الرمز بحلول {time}.',
  'page.code.undeliverable':
    'تعذّر علينا توصيل البريد إلى هذا العنوان: فقد ارتدّ أو رفضه خادم البريد. تحقّق من العنوان أو استخدم عنوانًا آخر.',
  'page.code.resend': 'إرسال رمز جديد',
  'page.code.resendCountdown': `يمكنك طلب رمز جديد بعد ${seconds}.`,
  'page.code.resent': 'أرسلنا إليك رمزًا جديدًا. استخدم الرمز الموجود في أحدث رسالة.',
  'page.code.changeEmail': 'استخدام عنوان بريد إلكتروني آخر',

  'page.waiting.heading': 'جارٍ إعداد وصولك',
  'page.waiting.body': 'يستغرق ذلك عادةً أقل من دقيقة. يُرجى إبقاء هذه الصفحة مفتوحة.',
  'page.waiting.slow':
    'يستغرق الأمر وقتًا أطول من المعتاد. يُرجى إبقاء هذه الصفحة مفتوحة، فما زلنا نعمل على ذلك.',

  'error.invalid_email': 'لا يبدو هذا عنوان بريد إلكتروني صحيحًا. تحقق منه وحاول مرة أخرى.',
  'error.domain_not_allowed':
    'لا يمكن استخدام عنوان البريد الإلكتروني هذا هنا. يُرجى استخدام بريدك الإلكتروني الخاص بالعمل.',
  'error.domain_not_allowed.consumer':
    'لا يمكن هنا استخدام عناوين البريد الإلكتروني الشخصية، مثل Gmail أو Outlook.com. يُرجى استخدام بريدك الإلكتروني الخاص بالعمل.',
  'error.domain_not_allowed.disposable':
    'لا يمكن هنا استخدام عناوين البريد الإلكتروني المؤقتة. يُرجى استخدام بريدك الإلكتروني الخاص بالعمل.',
  'error.domain_not_allowed.organization':
    'هذا العنوان يخص {organization}. لا تحتاج إلى التسجيل، بل سجّل الدخول بحساب مؤسستك.',
  'error.domain_not_allowed.blocked':
    'لا يمكن هنا استخدام عناوين البريد الإلكتروني من هذا النطاق. يُرجى استخدام بريدك الإلكتروني الخاص بالعمل أو التواصل مع {support}.',
  'error.domain_not_allowed.not_allowed':
    'التسجيل هنا متاح لمؤسسات محددة فقط، وهذا العنوان لا يتبع أيًّا منها. يُرجى استخدام بريد العمل الذي تمت مشاركة الملف معه، أو التواصل مع {support}.',
  'error.invalid_request': 'حدث خطأ في هذه الصفحة. يُرجى إعادة تحميلها والمحاولة مرة أخرى.',
  'error.invalid_code': 'هذا الرمز غير صحيح أو انتهت صلاحيته. تحقق من أحدث رسالة، أو اطلب رمزًا جديدًا.',
  'error.signup_not_found': 'انتهت صلاحية عملية التسجيل هذه. يُرجى البدء من جديد.',
  'error.locked': 'عدد المحاولات كبير جدًا. حفاظًا على أمانك، يُرجى البدء من جديد.',
  'error.already_verified': 'تم تأكيد عنوان بريدك الإلكتروني بالفعل. نحن نُعدّ وصولك الآن.',
  'error.rate_limited': `عدد المحاولات كبير جدًا. يُرجى الانتظار ${seconds} ثم المحاولة مرة أخرى.`,
  'error.resend_too_soon': 'أرسلنا إليك رمزًا للتو. يُرجى الانتظار قليلًا قبل طلب رمز آخر.',
  'error.signups_paused': 'التسجيل متوقف مؤقتًا في الوقت الحالي. يُرجى المحاولة لاحقًا.',
  'error.failed': 'تعذّر علينا إنشاء حسابك. يُرجى التواصل مع {support}.',
  'error.network': 'تعذّر الاتصال بالخدمة. تحقق من اتصالك بالإنترنت وحاول مرة أخرى.',
  'error.generic': 'حدث خطأ ما. يُرجى المحاولة مرة أخرى. إذا استمرت المشكلة، فتواصل مع {support}.',
  // Relay and reserved domains (req 30), the start budget (req 17), the proof-of-work check (req 20).
  'error.domain_not_allowed.relay':
    'لا يمكن استخدام عناوين إعادة التوجيه أو العناوين البديلة (مثل «إخفاء بريدي الإلكتروني» أو Firefox Relay) هنا. يُرجى استخدام عنوان بريدك الإلكتروني الخاص بالعمل نفسه.',
  'error.domain_not_allowed.reserved':
    'هذا عنوان توضيحي لا يمكنه استقبال البريد. يُرجى استخدام عنوان بريدك الإلكتروني الخاص بالعمل.',
  'error.busy': 'يسجّل عدد كبير من الأشخاص الآن. يُرجى المحاولة مرة أخرى بعد دقيقة.',
  'error.challenge_failed': 'تعذّر على الصفحة إكمال التحقق الأمني. يُرجى المحاولة مرة أخرى.',
  'error.challenge_required': 'تعذّر على الصفحة إكمال التحقق الأمني. يُرجى المحاولة مرة أخرى.',

  // Access model.
  'common.identity.body':
    'الملفات المحمية لعنوان بريدك الإلكتروني، أو لنطاق مؤسستك، تُفتح عند تسجيل الدخول بهذا العنوان.',
  'common.pendingApproval.heading': 'بانتظار الموافقة',
  'common.pendingApproval.body':
    'يقرر مسؤول في {organization} ما إذا كنت ستحصل على الوصول. سنرسل إليك بريدًا إلكترونيًا في الحالتين. يمكنك إغلاق هذه الصفحة.',
  'common.notEligible.heading': 'لا يمكننا إعداد الوصول لهذا العنوان',
  'common.notEligible.not_partner':
    'التسجيل هنا متاح فقط للمؤسسات الشريكة لـ {organization}. إذا كنت تحتاج إلى فتح ملف، فاسأل من شاركه معك أو تواصل مع {support}.',
  'common.notEligible.no_recent_mail':
    'لم نتمكن من التأكد من أن {organization} أرسلت مؤخرًا بريدًا إلى هذا العنوان. اسأل من شارك الملف أو تواصل مع {support}.',
  'common.notEligible.denied':
    'لم يوافق مسؤول في {organization} على هذا الطلب. إذا كنت تعتقد أن هذا خطأ، فتواصل مع {support}.',
  'common.notEligible.revoked':
    'سحبت {organization} الوصول لهذا العنوان. إذا كنت تعتقد أن هذا خطأ، فتواصل مع {support}.',
  'email.notEligible.subject': 'بخصوص تسجيلك لدى {organization}',
  'email.approval.subject': 'طلب وصول ضيف بانتظارك لدى {organization}',
  'email.approval.body':
    'أكّد {email} (النطاق {domain}) عنوان البريد هذا في صفحة التسجيل لدى {organization} ويطلب حساب ضيف.',
  'email.approval.button': 'مراجعة الطلب',
  'email.approval.note':
    'فتح الرابط لا يقرر شيئًا: اختر «موافقة» أو «رفض» في الصفحة. تنتهي صلاحية الطلب خلال {days, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} many {# يومًا} other {# يوم}}.',
  'page.approval.heading': 'طلب وصول ضيف',
  'page.approval.body': 'يطلب {email} (النطاق {domain}) حساب ضيف لدى {organization}.',
  'page.approval.approve': 'موافقة',
  'page.approval.deny': 'رفض',
  'page.approval.approved': 'تمت الموافقة. سيتلقى الشخص بريدًا إلكترونيًا عندما يصبح حسابه جاهزًا.',
  'page.approval.denied': 'تم الرفض. سيتلقى الشخص بريدًا إلكترونيًا بذلك.',
  'error.domain_not_allowed.paused':
    'التسجيل من هذا النطاق متوقف مؤقتًا في الوقت الحالي. رسالة من المسؤول: {reason}',
  'error.domain_not_allowed.capped':
    'بلغت تسجيلات اليوم لهذا النطاق الحد الذي وضعه المسؤول. يُرجى المحاولة مرة أخرى غدًا.',
  'error.already_decided': 'تم البت في هذا الطلب بالفعل.',
  'error.approval_not_found': 'رابط الموافقة هذا غير صالح، أو انتهت صلاحية الطلب.',
};
