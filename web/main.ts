/** Entry point of the landing page bundle (build/web.ts). */
import { SignupApi } from './api';
import { LandingApp, pickLocale, readBranding } from './app';

const root = document.getElementById('app');
if (root) {
  const branding = readBranding(document.body);
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  const locale = pickLocale(window.location.search, languages, branding.defaultLocale);
  void new LandingApp(root, branding, new SignupApi(), locale).start();
}
