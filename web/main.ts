/** Entry point of the landing page bundle (build/web.ts). */
import { SignupApi } from './api';
import { LandingApp, pickLocale, readBranding } from './app';
import { ApprovalPage, approvalToken } from './approval';
import { ChallengeSolver } from './challenge';

const root = document.getElementById('app');
if (root) {
  const branding = readBranding(document.body);
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  const locale = pickLocale(window.location.search, languages, branding.defaultLocale);
  const token = approvalToken(window.location.pathname);
  if (token) void new ApprovalPage(root, branding, new SignupApi(), locale, token).start();
  else {
    // The proof of work is fetched and solved in a worker from page load on, so nobody waits for it.
    const workerUrl = document.querySelector<HTMLMetaElement>('meta[name="challenge-worker"]')?.content;
    const challenges = new ChallengeSolver(workerUrl || undefined);
    challenges.prepare();
    void new LandingApp(root, branding, new SignupApi(undefined, challenges), locale).start();
  }
}
