/** API errors worded from the shared catalogue (the page never shows a server's own message). */
import { isMessageKey, type MessageKey } from '../shared/i18n';
import type { ApiError } from './api';
import type { Message } from './state';

/** The catalogue key for an API error; a refused domain gets the generic wording unless the page knows its reason. */
export function errorKey(error: ApiError): MessageKey {
  if (error.code === 'network') return 'error.network';
  const key = `error.${error.code}`;
  return isMessageKey(key) && error.code !== 'domain_not_allowed' ? key : 'error.generic';
}

/** What the page says about a failed call, with a retry where trying again can help. */
export function errorMessage(error: ApiError, retry?: () => void): Message {
  const key = errorKey(error);
  const message: Message = { key };
  if (key === 'error.rate_limited') message.params = { seconds: error.retryAfterSeconds ?? 60 };
  // The admin's own words travel in `detail`; the page never reads meaning out of `message`.
  if (key === 'error.signups_paused' && error.detail) message.detail = error.detail;
  if (key === 'error.network' || key === 'error.generic') message.retry = retry;
  return message;
}
