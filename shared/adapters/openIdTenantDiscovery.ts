/**
 * Does a recipient's domain have its own Microsoft Entra tenant? Its OpenID configuration at
 * `{loginBaseUrl}/{domain}/v2.0/.well-known/openid-configuration` answers 200 for a tenant's verified domain
 * and 400 for anything else. Answers are cached per instance (a domain's tenant rarely changes), and only
 * asked after verification, so an unauthenticated caller can never make us probe a domain.
 */
import type { TenantDiscovery } from '../ports';

export interface OpenIdTenantDiscoveryOptions {
  /** Default https://login.microsoftonline.com; the emulator locally. */
  baseUrl?: string;
  /** How long an answer is kept. Default 24 h. */
  ttlMs?: number;
  /** Per request. Default 3 s: the hint is optional, the ready notice must not wait for it. */
  timeoutMs?: number;
  /** At most this many domains cached (oldest dropped first). Default 5,000. */
  maxEntries?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export class OpenIdTenantDiscovery implements TenantDiscovery {
  private readonly cache = new Map<string, { value: boolean; until: number }>();
  private readonly baseUrl: string;

  constructor(private readonly options: OpenIdTenantDiscoveryOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  }

  async hasEntraTenant(domain: string): Promise<boolean | undefined> {
    const key = domain.toLowerCase();
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.value;
    const value = await this.lookUp(key);
    if (value === undefined) return undefined;
    this.cache.delete(key);
    this.cache.set(key, { value, until: now + (this.options.ttlMs ?? 86_400_000) });
    while (this.cache.size > (this.options.maxEntries ?? 5000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return value;
  }

  private async lookUp(domain: string): Promise<boolean | undefined> {
    if (!/^[a-z0-9.-]{1,253}$/.test(domain)) return false;
    const url = `${this.baseUrl}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
    try {
      const res = await (this.options.fetch ?? fetch)(url, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
        redirect: 'error',
      });
      await res.body?.cancel();
      if (res.status === 200) return true;
      if (res.status === 400 || res.status === 404) return false;
      return undefined;
    } catch {
      return undefined;
    }
  }
}
