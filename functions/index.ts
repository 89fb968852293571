// Entry point for the production bundle (scripts/package.ts): importing a module registers its functions.
import './health';
import './signupResend';
import './signupStart';
import './signupStatus';
import './signupVerify';
