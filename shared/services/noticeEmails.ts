/** Which template renders each notice email (account ready, redemption reset, not eligible, failure). */
import { renderNotEligibleEmail } from '../email/accessTemplates';
import { renderRedemptionResetEmail } from '../email/lifecycleTemplates';
import { type Branding, renderAccountReadyEmail, renderSignupFailedEmail } from '../email/templates';
import type { SignupFlow } from '../domain/signupFlow';
import type { Locale } from '../i18n';

export type NoticeKind = 'account_ready' | 'signup_failed' | 'not_eligible';

export function renderNotice(
  kind: NoticeKind,
  flow: SignupFlow,
  settings: { locale: Locale; publicBaseUrl: string; branding: Branding },
) {
  const { locale, branding } = settings;
  if (kind === 'account_ready') {
    return flow.outcome === 'redemption_reset'
      ? renderRedemptionResetEmail({
          locale,
          redeemUrl: flow.signInUrl ?? settings.publicBaseUrl,
          homeTenant: flow.homeTenant,
          branding,
        })
      : renderAccountReadyEmail({
          locale,
          // `guest_removed` flows get no notice (the caller drops them first).
          outcome:
            flow.outcome === undefined || flow.outcome === 'guest_removed' ? 'guest_created' : flow.outcome,
          signInUrl: flow.signInUrl ?? settings.publicBaseUrl,
          homeTenant: flow.homeTenant,
          branding,
        });
  }
  if (kind === 'not_eligible')
    return renderNotEligibleEmail({ locale, reason: flow.notEligibleReason ?? 'not_partner', branding });
  return renderSignupFailedEmail({ locale, branding });
}
