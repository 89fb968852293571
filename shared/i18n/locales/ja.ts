import type { Messages } from './en';

/**
 * Japanese. Polite です/ます style. Half-width spaces around Latin values (code, addresses, organisation
 * names) keep them readable and stop plain-text link detection from swallowing the next characters.
 * Japanese has one plural form, so plurals only give `other`.
 */
export const ja: Messages = {
  'language.name': '日本語',
  'language.label': '言語',

  'common.signIn': 'サインイン',
  'common.support': 'お困りの場合は、{support} までお問い合わせください。',
  'common.privacy': 'プライバシーポリシー',

  // Guest lifecycle: access hints, leave and reset outcomes, reminders and renewal.
  'common.acceptInvitation': '招待を承諾',
  'common.access.delay':
    'Office アプリでアクセスできるようになるまで数分かかることがあり、グループ経由のアクセスでは数時間かかることもあります。ファイルがまだ開かない場合は、しばらくしてからもう一度お試しください。',
  'common.access.apps':
    '保護されたファイルは、Windows、Mac、Web の Word、Excel、PowerPoint、Outlook で開けます。保護された PDF と .pfile は Microsoft Purview Information Protection ビューアーで、iPhone、iPad、Android では Office モバイル アプリで開けます。',
  'common.access.homeTenant':
    'あなたの組織は Microsoft 365 を使用しています。Microsoft から求められたら、ワンタイム パスコードではなく職場のアカウントでサインインしてください。',
  'common.outcome.guestRemoved.heading': 'ゲスト アカウントを削除しました',
  'common.outcome.guestRemoved.body':
    '{organization} はこのメール アドレスのゲスト アカウントを削除しました。このアドレスと共有された保護ファイルは、今後は開けません。',
  'common.outcome.notManaged.heading': 'このアカウントはここでは変更できません',
  'common.outcome.notManaged.body':
    'このメール アドレスには、このページ以外で作成された {organization} のアカウントがあるため、ここでは変更できません。{support} にお問い合わせください。',
  'common.outcome.redemptionReset.heading': 'アカウントをやり直す',
  'common.outcome.redemptionReset.body':
    '{organization} のゲスト アカウントをリセットしました。「招待を承諾」を選び、今後使うアカウントでサインインしてください。',
  'email.verification.intent.leave':
    'このコードを確認すると、{organization} のゲスト アカウントが削除されます。',
  'email.verification.intent.reset':
    'このコードを確認すると、{organization} のゲスト アカウントがリセットされ、別のアカウントで承諾し直せるようになります。',
  'email.reset.subject': '{organization} のゲスト アカウントをもう一度承諾してください',
  'email.reminder.subject': 'リマインダー: {organization} のゲスト アカウントを承諾してください',
  'email.reminder.body':
    '{organization} はあなたのゲスト アカウントを作成しましたが、まだ承諾されていません。「招待を承諾」を選び、このメール アドレスでサインインすると、共有されたファイルを開けます。',
  'email.renewal.subject': '{organization} のゲスト アカウントは {date} に終了します',
  'email.renewal.body':
    '{organization} のゲスト アカウントは {date} に終了します。引き続き使う場合は、それまでにメール アドレスをもう一度確認してください (1 分ほどで終わります)。',
  'email.renewal.button': 'ゲスト アカウントを継続する',
  'page.help.leave': 'ゲスト アカウントを削除する',
  'page.help.reset': '別のアカウントでやり直す',
  'page.intent.leave.heading': 'ゲスト アカウントの削除',
  'page.intent.leave.body':
    'ゲスト アカウントのメール アドレスを入力してください。コードをお送りします。確認するとアカウントが削除されます。',
  'page.intent.reset.heading': '別のアカウントでやり直す',
  'page.intent.reset.body':
    'ゲスト アカウントのメール アドレスを入力してください。コードをお送りします。確認するとアカウントがリセットされ、新しい職場のアカウントなどで承諾し直せます。',

  'common.next.heading': '今後の流れ',
  'common.next.signIn': '「サインイン」を選択し、このメールアドレスでサインインしてください。',
  'common.next.passcode':
    'Microsoft からワンタイムパスコードがメールで届く場合があります。そのコードを入力して、サインインを完了してください。',
  'common.next.reopen': 'その後、保護されたファイルをもう一度開いてください。',
  'common.next.delay':
    'アクセスできるようになるまで数分かかることがあります。ファイルがまだ開けない場合は、数分待ってからもう一度お試しください。',
  'common.ready.guestCreated.heading': 'ゲストアカウントの準備ができました',
  'common.ready.guestCreated.body':
    '{organization} でゲストアカウントが作成されました。共有されたファイルを開けるようになります。',
  'common.ready.existingGuest.heading': 'ゲストアカウントを既にお持ちです',
  'common.ready.existingGuest.body':
    'このメールアドレスには {organization} のゲストアカウントが既にあります。そのアカウントでファイルを開いてください。',
  'common.ready.existingMember.heading': '組織のアカウントをご利用ください',
  'common.ready.existingMember.body':
    'このメールアドレスは {organization} のアカウントのものなので、ゲストアカウントは必要ありません。組織のアカウントでサインインしてから、ファイルをもう一度開いてください。',
  'common.failed.heading': 'アカウントを作成できませんでした',

  'email.verification.subject': '{code} は {organization} の確認コードです',
  'email.verification.preheader':
    '登録ページでこのコードを入力してください。コードは{minutes, plural, other {#分}}間有効です。',
  'email.verification.codeLabel': '確認コード',
  'email.verification.instructions':
    '{organization} の登録ページでこのコードを入力して、メールアドレスを確認してください。コードは{minutes, plural, other {#分}}間有効です。',
  'email.verification.button': '登録ページを開く',
  'email.verification.linkNote':
    'ページを開いても、コードが自動で入力されるだけです。ページで「確認」を選択するまで、何も確定しません。',
  'email.verification.ignore':
    'このコードに心当たりがない場合は、このメールを無視してください。何も起こりません。',
  'email.verification.retention':
    'お客様のメールアドレスは、登録手続きのために最長{days, plural, other {#日}}間保管し、その後削除します。',

  'email.ready.guestCreated.subject': '{organization} のゲストアカウントの準備ができました',
  'email.ready.existingGuest.subject': '{organization} のゲストアカウントを既にお持ちです',
  'email.ready.existingMember.subject': '{organization} のアカウントでファイルを開いてください',

  'email.failed.subject': '{organization} への登録を完了できませんでした',
  'email.failed.body':
    '申し訳ありません。ゲストアカウントの作成中に、こちら側で問題が発生しました。{support} までお問い合わせください。ファイルを開けるようお手伝いします。',

  'email.linkFallback': 'ボタンが機能しない場合は、このリンクをコピーしてブラウザーに貼り付けてください：',
  'email.reason':
    'このメールは、保護されたファイル用の {organization} 登録ページでこのアドレスが入力されたため送信されました。',

  'page.title': '{organization} の保護されたファイルを開く',
  'page.intro':
    '{organization} の担当者が、保護されたファイルをお使いの仕事用メールアドレス宛てに共有しました。ファイルを開くにはゲストアカウントが必要です。ここでメールアドレスを確認していただければ、アカウントをご用意します。',
  'page.progress': 'ステップ {step} / {total}',
  'page.working': 'お待ちください…',
  'page.startAgain': '最初からやり直す',
  'page.tryAgain': 'もう一度試す',

  'page.email.heading': '仕事用のメールアドレスを入力してください',
  'page.email.label': '仕事用のメールアドレス',
  'page.email.hint': '保護されたファイルが共有されたアドレスを使用してください。',
  'page.email.submit': 'コードを送信',
  'page.email.required': 'メールアドレスを入力してください。',
  'page.email.privacy': 'メールアドレスは、コードの送信とアクセスの設定にのみ使用します。',

  'page.code.heading': 'メールを確認してください',
  'page.code.sent': '{email} に6桁のコードを送信しました。',
  'page.code.label': '確認コード',
  'page.code.hint': 'メールに記載された6桁の数字を入力してください。コード全体を貼り付けることもできます。',
  'page.code.submit': '確認',
  'page.code.required': 'メールに記載された6桁のコードを入力してください。',
  'page.code.prefilled': 'メールのコードが入力されています。「確認」を選択して続行してください。',
  'page.code.junk':
    'メールが届きませんか？届くまで1分ほどかかることがあります。迷惑メールフォルダーも確認してください。',
  'page.code.eta': 'コードは {time} までに届く見込みです。',
  'page.code.undeliverable':
    'このアドレスにメールを配信できませんでした。メールが返送されたか、メール サーバーに拒否されました。アドレスを確認するか、別のアドレスを使用してください。',
  'page.code.resend': '新しいコードを送信',
  'page.code.resendCountdown': '{seconds, plural, other {#秒}}後に新しいコードをリクエストできます。',
  'page.code.resent': '新しいコードを送信しました。最新のメールに記載されたコードを使用してください。',
  'page.code.changeEmail': '別のメールアドレスを使用する',

  'page.waiting.heading': 'アクセスを設定しています',
  'page.waiting.body': '通常は1分以内に完了します。このページは開いたままにしてください。',
  'page.waiting.slow':
    '通常より時間がかかっています。処理を続けていますので、このページは開いたままにしてください。',

  'error.invalid_email': 'メールアドレスの形式が正しくないようです。確認して、もう一度お試しください。',
  'error.domain_not_allowed':
    'このメールアドレスはここでは使用できません。仕事用のメールアドレスを使用してください。',
  'error.domain_not_allowed.consumer':
    'Gmail や Outlook.com などの個人用メールアドレスは使用できません。仕事用のメールアドレスを使用してください。',
  'error.domain_not_allowed.disposable':
    '一時的なメールアドレスは使用できません。仕事用のメールアドレスを使用してください。',
  'error.domain_not_allowed.organization':
    'このアドレスは {organization} のものです。登録は必要ありません。組織のアカウントでサインインしてください。',
  'error.domain_not_allowed.blocked':
    'このドメインのメールアドレスはここでは使用できません。仕事用のメールアドレスを使用するか、{support} までお問い合わせください。',
  'error.domain_not_allowed.not_allowed':
    'ここで登録できるのは一部の組織のみで、このアドレスは対象外です。ファイルが共有された仕事用のメールアドレスを使用するか、{support} までお問い合わせください。',
  'error.invalid_request': 'このページで問題が発生しました。ページを再読み込みして、もう一度お試しください。',
  'error.invalid_code':
    'コードが正しくないか、有効期限が切れています。最新のメールを確認するか、新しいコードをリクエストしてください。',
  'error.signup_not_found': 'この登録は有効期限が切れました。最初からやり直してください。',
  'error.locked': '試行回数が多すぎます。安全のため、最初からやり直してください。',
  'error.already_verified': 'メールアドレスは既に確認済みです。現在、アクセスを設定しています。',
  'error.rate_limited':
    '試行回数が多すぎます。{seconds, plural, other {#秒}}待ってから、もう一度お試しください。',
  'error.resend_too_soon':
    'コードを送信したばかりです。新しいコードをリクエストする前に、少しお待ちください。',
  'error.signups_paused': '現在、登録を一時停止しています。しばらくしてから、もう一度お試しください。',
  'error.failed': 'アカウントを作成できませんでした。{support} までお問い合わせください。',
  'error.network': 'サービスに接続できませんでした。インターネット接続を確認して、もう一度お試しください。',
  'error.generic':
    '問題が発生しました。もう一度お試しください。問題が続く場合は、{support} までお問い合わせください。',
  // Relay and reserved domains (req 30), the start budget (req 17), the proof-of-work check (req 20).
  'error.domain_not_allowed.relay':
    '転送用やエイリアスのメール アドレス (「メールを非公開」や Firefox Relay など) はここでは使用できません。勤務先のメール アドレスそのものを使用してください。',
  'error.domain_not_allowed.reserved':
    'これはメールを受信できない例示用のアドレスです。勤務先のメール アドレスを使用してください。',
  'error.busy': '現在、多くの方が登録しています。1 分ほどしてからもう一度お試しください。',
  'error.challenge_failed': 'ページのセキュリティ確認を完了できませんでした。もう一度お試しください。',
  'error.challenge_required': 'ページのセキュリティ確認を完了できませんでした。もう一度お試しください。',

  // Access model.
  'common.identity.body':
    'お使いのメールアドレス、または組織のドメイン向けに保護されたファイルは、このアドレスでサインインすると開けます。',
  'common.pendingApproval.heading': '承認を待っています',
  'common.pendingApproval.body':
    'アクセスを許可するかどうかは {organization} の担当者が決めます。結果はどちらの場合もメールでお知らせします。このページは閉じてかまいません。',
  'common.notEligible.heading': 'このアドレスにはアクセスを設定できません',
  'common.notEligible.not_partner':
    'ここでの登録は {organization} のパートナー組織に限られています。ファイルを開く必要がある場合は、共有した人に確認するか、{support} にお問い合わせください。',
  'common.notEligible.no_recent_mail':
    '{organization} が最近このアドレスにメールを送信したことを確認できませんでした。ファイルを共有した人に確認するか、{support} にお問い合わせください。',
  'common.notEligible.denied':
    '{organization} の担当者はこのリクエストを承認しませんでした。誤りだと思われる場合は {support} にお問い合わせください。',
  'common.notEligible.revoked':
    '{organization} はこのアドレスのアクセスを取り消しました。誤りだと思われる場合は {support} にお問い合わせください。',
  'email.notEligible.subject': '{organization} への登録について',
  'email.approval.subject': '{organization} でゲストアクセスのリクエストがあなたを待っています',
  'email.approval.body':
    '{email}（ドメイン {domain}）が {organization} の登録ページでこのメールアドレスを確認し、ゲストアカウントを求めています。',
  'email.approval.button': 'リクエストを確認',
  'email.approval.note':
    'リンクを開いただけでは何も決まりません。ページで「承認」または「拒否」を選んでください。リクエストの有効期限は {days, plural, other {# 日}} です。',
  'page.approval.heading': 'ゲストアクセスのリクエスト',
  'page.approval.body': '{email}（ドメイン {domain}）が {organization} のゲストアカウントを求めています。',
  'page.approval.approve': '承認',
  'page.approval.deny': '拒否',
  'page.approval.approved': '承認しました。アカウントの準備ができると本人にメールが届きます。',
  'page.approval.denied': '拒否しました。本人にその旨のメールが届きます。',
  'error.domain_not_allowed.paused':
    '現在、このドメインからの登録は一時停止しています。管理者からのメッセージ: {reason}',
  'error.domain_not_allowed.capped':
    'このドメインの本日の登録数が管理者の設定した上限に達しました。明日もう一度お試しください。',
  'error.already_decided': 'このリクエストはすでに決定済みです。',
  'error.approval_not_found': 'この承認リンクは無効か、リクエストの有効期限が切れています。',
};
