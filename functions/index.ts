// Entry point for the production bundle (scripts/package.ts): importing a module registers its functions.
import './emailPoison';
import './emailSender';
import './health';
import './landingPage';
import './provisioner';
import './provisionPoison';
import './signupResend';
import './signupStart';
import './signupStatus';
import './signupVerify';
