/**
 * Keeps infra/ and the code in step: every setting the code reads (shared/config.ts, scope not `local`) is
 * set by the Bicep app settings and nothing else is; every queue and table the code uses is declared; the
 * roles the identity needs are assigned; alert rules watch events the code really logs. Bicep cannot be
 * compiled here, so the checks work on the Bicep text with a small lexer that skips comments and strings.
 *
 * `checkInfraDrift` is pure and exported; the last tests prove it fails on a removed setting, queue or role.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ZodType } from 'zod';
import { SETTINGS } from '../../shared/config';
import {
  ALL_GRAPH_ROLES,
  type GraphFeatures,
  requiredGraphRoles,
} from '../../shared/domain/graphPermissions';
import { COUNTERS, GAUGES } from '../../shared/ports';
import { QUEUES, TABLES } from '../../shared/storageNames';

const root = path.resolve(__dirname, '..', '..');
const infraDir = path.join(root, 'infra');

export interface BicepFile {
  /** Path relative to infra/, e.g. `modules/storage.bicep`. */
  path: string;
  text: string;
}

export interface SettingSpec {
  scope?: 'all' | 'azure' | 'local';
  secret?: boolean;
  schema: ZodType;
}

export interface DriftInput {
  files: BicepFile[];
  settings: Record<string, SettingSpec>;
  queues: readonly string[];
  tables: readonly string[];
  /** Event names the code logs (`log.event('name', ...)`). */
  codeEvents: ReadonlySet<string>;
  /** Metric names the code emits (shared/ports.ts COUNTERS and GAUGES). */
  codeMetrics: ReadonlySet<string>;
  /** infra/workbook.json (the workbook's serializedData). */
  workbook: string;
}

/** Settings the Functions host (not shared/config.ts) reads, which the Bicep may set. */
export const HOST_SETTINGS = [
  /^AzureWebJobsStorage__(?:credential|clientId|blobServiceUri|queueServiceUri|tableServiceUri)$/,
  /^APPLICATIONINSIGHTS_(?:CONNECTION_STRING|AUTHENTICATION_STRING)$/,
  /^FUNCTIONS_REQUEST_BODY_SIZE_LIMIT$/,
];

/** Rejected or ignored on Flex Consumption (Learn: "Flex Consumption plan deprecations"). */
export const FLEX_FORBIDDEN_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_TIME_ZONE',
];

/** Built-in roles the app identity needs (Azure built-in roles reference). */
export const REQUIRED_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Communication and Email Service Owner': '09976791-48a7-449e-bb21-39d1a415f350',
};

/** The actions Microsoft documents for a custom role that sends ACS email with an Entra identity. */
export const ACS_SENDER_ACTIONS = [
  'Microsoft.Communication/CommunicationServices/Read',
  'Microsoft.Communication/CommunicationServices/Write',
  'Microsoft.Communication/EmailServices/write',
];

// ------------------------------------------------------------------------------------------ lexer

/**
 * Same length as `text`, with comments and the contents of string literals (interpolations included)
 * blanked out, newlines kept. Brackets and keys can then be found with plain scanning.
 */
export function maskBicep(text: string): string {
  const out = text.split('');
  const blank = (i: number) => {
    if (out[i] !== '\n') out[i] = ' ';
  };
  const skipString = (start: number): number => {
    // start is at the opening quote
    let j = start + 1;
    while (j < text.length) {
      const c = text[j];
      if (c === '\\') {
        blank(j);
        blank(j + 1);
        j += 2;
      } else if (c === "'") {
        return j + 1;
      } else if (c === '$' && text[j + 1] === '{') {
        blank(j);
        blank(j + 1);
        j = skipInterpolation(j + 2);
      } else {
        blank(j);
        j += 1;
      }
    }
    return j;
  };
  const skipInterpolation = (start: number): number => {
    let depth = 1;
    let k = start;
    while (k < text.length) {
      const c = text[k];
      if (c === "'") {
        const end = skipString(k);
        for (let m = k; m < end; m += 1) blank(m);
        k = end;
        continue;
      }
      if (c === '{') depth += 1;
      if (c === '}') depth -= 1;
      blank(k);
      k += 1;
      if (depth === 0) return k;
    }
    return k;
  };

  let i = 0;
  while (i < text.length) {
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') blank(i++);
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      while (i < stop) blank(i++);
    } else if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const stop = end === -1 ? text.length : end + 3;
      for (let k = i + 3; k < stop - 3; k += 1) blank(k);
      i = stop;
    } else if (text[i] === "'") {
      i = skipString(i);
    } else {
      i += 1;
    }
  }
  return out.join('');
}

const OPEN: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
const CLOSE = new Set(Object.values(OPEN));

/** Index just past the bracket that closes the one at `openAt` (in masked text), or -1. */
function matchingClose(masked: string, openAt: number): number {
  const stack: string[] = [];
  for (let i = openAt; i < masked.length; i += 1) {
    const c = masked[i] ?? '';
    if (OPEN[c]) stack.push(OPEN[c]);
    else if (CLOSE.has(c)) {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** Problems with bracket balance: unclosed, unexpected or mismatched brackets. */
export function bracketProblems(file: BicepFile): string[] {
  const masked = maskBicep(file.text);
  const stack: { c: string; line: number }[] = [];
  const problems: string[] = [];
  let line = 1;
  for (const c of masked) {
    if (c === '\n') line += 1;
    else if (OPEN[c]) stack.push({ c: OPEN[c], line });
    else if (CLOSE.has(c)) {
      const top = stack.pop();
      if (!top || top.c !== c) problems.push(`${file.path}:${line}: unexpected '${c}'`);
    }
  }
  for (const open of stack) problems.push(`${file.path}:${open.line}: bracket never closed`);
  return problems;
}

export interface AppSetting {
  name: string;
  file: string;
  /** Source text of the value (comment stripped). */
  value: string;
  /** The string when the value is a plain literal without interpolation; otherwise undefined. */
  literal?: string;
}

const LITERAL = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/;
const unescape = (s: string) =>
  s.replace(/\\(.)/g, (_m: string, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));

/** Keys and values of every object variable marked `drift:app-settings` in a comment line above it. */
export function appSettingsOf(file: BicepFile): AppSetting[] {
  const masked = maskBicep(file.text);
  const settings: AppSetting[] = [];
  let from = 0;
  for (;;) {
    const marker = file.text.indexOf('drift:app-settings', from);
    if (marker === -1) break;
    from = marker + 1;
    const decl = /\bvar\s+\w+\s*=\s*\{/g;
    decl.lastIndex = marker;
    const m = decl.exec(masked);
    if (!m) continue;
    const open = m.index + m[0].length - 1;
    const close = matchingClose(masked, open);
    if (close === -1) continue;
    // Walk the object's lines; a key sits at the start of a line at nesting depth 1.
    let depth = 0;
    let lineStart = open + 1;
    for (let i = open; i < close; i += 1) {
      const c = masked[i] ?? '';
      if (i > open && c === '\n') {
        lineStart = i + 1;
        continue;
      }
      if (i === lineStart && depth === 1) {
        const lineEnd = masked.indexOf('\n', i) === -1 ? close : Math.min(masked.indexOf('\n', i), close - 1);
        const original = file.text.slice(i, lineEnd);
        const key = /^\s*(?:([A-Za-z_][A-Za-z0-9_]*)|'([^']*)')\s*:\s*/.exec(original);
        if (key) {
          const maskedLine = masked.slice(i, lineEnd);
          const valueEnd = maskedLine.trimEnd().length; // trailing comment is blank in the masked text
          const value = original.slice(key[0].length, valueEnd).trim();
          const lit = LITERAL.exec(value);
          settings.push({
            name: key[1] ?? key[2] ?? '',
            file: file.path,
            value,
            literal: lit ? unescape(lit[1] ?? '') : undefined,
          });
        }
      }
      if (OPEN[c]) depth += 1;
      else if (CLOSE.has(c)) depth -= 1;
    }
  }
  return settings;
}

/** String items of `var <name> = [ ... ]` in any file. */
export function arrayVar(files: BicepFile[], name: string): string[] | undefined {
  for (const file of files) {
    const masked = maskBicep(file.text);
    const decl = new RegExp(`\\bvar\\s+${name}\\s*=\\s*\\[`).exec(masked);
    if (!decl) continue;
    const open = decl.index + decl[0].length - 1;
    const close = matchingClose(masked, open);
    const body = file.text.slice(open + 1, close - 1);
    return [...body.matchAll(/'([^'\\]*)'/g)].map((m) => m[1] ?? '');
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ checks

/** Every drift problem between infra/*.bicep and the code; empty when they agree. */
export function checkInfraDrift(input: DriftInput): string[] {
  const problems: string[] = [];
  const all = input.files.map((f) => maskBicep(f.text)).join('\n');
  const allText = input.files.map((f) => f.text).join('\n');

  // App settings -------------------------------------------------------------------------------
  const settings = input.files.flatMap(appSettingsOf);
  if (settings.length === 0) problems.push('no object marked drift:app-settings found in infra/');
  const seen = new Map<string, string>();
  for (const s of settings) {
    const before = seen.get(s.name);
    if (before) problems.push(`app setting ${s.name} is set twice (${before} and ${s.file})`);
    seen.set(s.name, s.file);
  }
  for (const [name, spec] of Object.entries(input.settings)) {
    if (spec.scope !== 'local' && !seen.has(name))
      problems.push(`app setting ${name} (shared/config.ts) is not set by infra/`);
  }
  for (const s of settings) {
    const spec = input.settings[s.name];
    if (FLEX_FORBIDDEN_SETTINGS.includes(s.name)) {
      problems.push(`app setting ${s.name} must not be set on Flex Consumption`);
    } else if (!spec) {
      if (!HOST_SETTINGS.some((re) => re.test(s.name))) {
        problems.push(
          `app setting ${s.name} (${s.file}) is neither in shared/config.ts nor a known host setting`,
        );
      }
    } else if (spec.scope === 'local') {
      problems.push(`app setting ${s.name} is local-only (scope: local) and must not be set in Azure`);
    } else if (spec.secret) {
      if (s.literal !== '' && !/keyvault/i.test(s.value)) {
        problems.push(`secret app setting ${s.name} must be empty or a Key Vault reference, not ${s.value}`);
      }
    } else if (s.literal !== undefined && s.literal !== '') {
      const parsed = spec.schema.safeParse(s.literal);
      if (!parsed.success)
        problems.push(`app setting ${s.name} = '${s.literal}' is invalid for shared/config.ts`);
    }
  }

  // Queues and tables ----------------------------------------------------------------------------
  const lists: [string, string, readonly string[], string][] = [
    ['queueNames', 'queue', input.queues, 'Microsoft.Storage/storageAccounts/queueServices/queues'],
    ['tableNames', 'table', input.tables, 'Microsoft.Storage/storageAccounts/tableServices/tables'],
  ];
  for (const [varName, kind, codeNames, type] of lists) {
    const declared = arrayVar(input.files, varName);
    if (!declared) {
      problems.push(`var ${varName} not found in infra/`);
      continue;
    }
    for (const n of codeNames)
      if (!declared.includes(n))
        problems.push(`${kind} ${n} (shared/storageNames.ts) has no resource in infra/`);
    for (const n of declared)
      if (!codeNames.includes(n))
        problems.push(`${kind} ${n} is declared in infra/ but not used by the code`);
    const loop = new RegExp(
      `resource\\s+\\w+\\s+'${type.replace(/\//g, '\\/')}@[^']+'\\s*=\\s*\\[\\s*for\\s+\\w+\\s+in\\s+${varName}\\s*:`,
    );
    if (!loop.test(allText)) problems.push(`no ${type} resource loop over ${varName}`);
  }

  // Roles ------------------------------------------------------------------------------------
  if (!/'Microsoft\.Authorization\/roleAssignments@/.test(allText))
    problems.push('no role assignments in infra/');
  for (const [role, id] of Object.entries(REQUIRED_ROLES)) {
    if (!allText.includes(id)) problems.push(`role ${role} (${id}) is not assigned in infra/`);
  }
  for (const action of ACS_SENDER_ACTIONS) {
    if (!allText.includes(`'${action}'`)) problems.push(`custom ACS sender role lacks action ${action}`);
  }

  // Alerts watch events the code logs ------------------------------------------------------------
  const alertEvents = new Set<string>();
  for (const m of allText.matchAll(/replace\(\s*\w+\s*,\s*'__EVENT__'\s*,\s*'([a-z_]+)'\s*\)/g))
    alertEvents.add(m[1] ?? '');
  for (const m of allText.matchAll(/evt == '([a-z_]+)'/g)) alertEvents.add(m[1] ?? '');
  if (alertEvents.size === 0) problems.push('no alert rule on a structured log event found in infra/');
  for (const e of alertEvents) {
    if (!input.codeEvents.has(e)) problems.push(`alert rule watches event ${e}, which the code never logs`);
  }
  if (!alertEvents.has('poison_message')) problems.push('no alert rule on poison_message events');

  // Alerts and the workbook use metrics the code emits (custom metrics are never sampled) -------------
  const alertMetrics = new Set([...allText.matchAll(/Name == '([a-z.]+)'/g)].map((m) => m[1] ?? ''));
  for (const metric of alertMetrics) {
    if (!input.codeMetrics.has(metric))
      problems.push(`alert rule watches metric ${metric}, which the code never emits`);
  }
  for (const required of ['email.bounced', 'graph.requests', 'queue.age']) {
    if (!alertMetrics.has(required)) problems.push(`no alert rule on metric ${required}`);
  }
  if (!/'Microsoft\.Insights\/workbooks@/.test(allText))
    problems.push('no Application Insights workbook in infra/');
  let workbook: { items?: Array<{ name?: string; content?: { query?: string } }> } = {};
  try {
    workbook = JSON.parse(input.workbook) as typeof workbook;
  } catch {
    problems.push('infra/workbook.json is not JSON');
  }
  const queries = (workbook.items ?? []).flatMap((i) => (i.content?.query ? [i.content.query] : []));
  const workbookMetrics = new Set<string>();
  for (const query of queries) {
    for (const m of query.matchAll(/name (?:==|in) \(?([^)|\n]+)/g)) {
      for (const n of (m[1] ?? '').matchAll(/'([^']+)'/g)) workbookMetrics.add(n[1] ?? '');
    }
  }
  for (const metric of workbookMetrics) {
    if (!input.codeMetrics.has(metric))
      problems.push(`workbook queries metric ${metric}, which the code never emits`);
  }
  for (const part of ['funnel', 'outcomes', 'email', 'budget', 'queues', 'failures']) {
    if (!(workbook.items ?? []).some((i) => i.name === part && i.content?.query)) {
      problems.push(`workbook has no ${part} query`);
    }
  }

  if (!all.includes('allowSharedKeyAccess')) problems.push('storage does not set allowSharedKeyAccess');
  return problems;
}

/** Syntax smoke test for text we cannot compile: brackets, API versions, modules, extension use. */
export function checkBicepStructure(files: BicepFile[], bicepConfig: unknown): string[] {
  const problems = files.flatMap(bracketProblems);
  const names = new Set(files.map((f) => f.path));
  for (const file of files) {
    const masked = maskBicep(file.text);
    for (const m of file.text.matchAll(/^\s*resource\s+\w+\s+'([^'@]+)@([^']+)'/gm)) {
      if (!masked.slice(m.index).trimStart().startsWith('resource')) continue; // inside a comment
      const [, type = '', version = ''] = m;
      // Graph beta only where v1.0 lacks a property (group behaviour options); see checkTemplatePitfalls.
      const ok = type.startsWith('Microsoft.Graph/')
        ? version === 'v1.0' || (version === 'beta' && type === 'Microsoft.Graph/groups')
        : /^\d{4}-\d{2}-\d{2}$/.test(version);
      if (!ok) problems.push(`${file.path}: ${type}@${version} is not a stable API version`);
    }
    for (const m of file.text.matchAll(/^\s*module\s+\w+\s+'([^']+)'/gm)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file.path), m[1] ?? ''));
      if (!names.has(target)) problems.push(`${file.path}: module ${m[1] ?? ''} does not exist`);
    }
    for (const [alias, version] of [
      ['microsoftGraphV1', 'v1.0'],
      ['microsoftGraphBeta', 'beta'],
    ] as const) {
      const usesGraph = new RegExp(`'Microsoft\\.Graph/[^'@]+@${version.replace('.', '\\.')}'`).test(
        file.text,
      );
      const declares = new RegExp(`^extension\\s+${alias}\\s*$`, 'm').test(file.text);
      if (usesGraph !== declares)
        problems.push(
          `${file.path}: Microsoft.Graph @${version} resources and 'extension ${alias}' must go together`,
        );
    }
  }
  const extensions = (bicepConfig as { extensions?: Record<string, string> }).extensions ?? {};
  for (const [alias, version] of [
    ['microsoftGraphV1', 'v1.0'],
    ['microsoftGraphBeta', 'beta'],
  ] as const) {
    const ext = extensions[alias] ?? '';
    const pinned = new RegExp(
      `^br:mcr\\.microsoft\\.com/bicep/extensions/microsoftgraph/${version.replace('.', '\\.')}:\\d+\\.\\d+\\.\\d+$`,
    );
    if (!pinned.test(ext))
      problems.push(
        `bicepconfig.json: extensions.${alias} is not a pinned Graph ${version} extension (${ext})`,
      );
  }
  return problems;
}

// ------------------------------------------------------------------------------------------ deploy-time pitfalls

export interface ResourceBlock {
  file: string;
  symbol: string;
  /** e.g. `Microsoft.Web/sites/basicPublishingCredentialsPolicies` */
  type: string;
  conditional: boolean;
  /** Original text of the body, braces included. */
  body: string;
  /** The same with comments and string contents blanked. */
  masked: string;
}

/** Every `resource` declaration with its body (loops included). */
export function resourceBlocks(file: BicepFile): ResourceBlock[] {
  const masked = maskBicep(file.text);
  const blocks: ResourceBlock[] = [];
  const decl =
    /^[ \t]*resource\s+(\w+)\s+'([^'@]+)@[^']+'(?:\s+existing)?\s*=\s*(\[\s*for\s[^:]*:\s*)?(if\s*\()?/gm;
  for (const m of file.text.matchAll(decl)) {
    if (!masked.slice(m.index).trimStart().startsWith('resource')) continue; // inside a comment
    const open = masked.indexOf('{', m.index + m[0].length);
    const close = open === -1 ? -1 : matchingClose(masked, open);
    if (close === -1) continue;
    blocks.push({
      file: file.path,
      symbol: m[1] ?? '',
      type: m[2] ?? '',
      conditional: Boolean(m[4]),
      body: file.text.slice(open, close),
      masked: masked.slice(open, close),
    });
  }
  return blocks;
}

/** Classic siteConfig properties Flex Consumption rejects with ARM error 51021 (AVM PR #345 list). */
export const FLEX_REJECTED_SITE_CONFIG = [
  'ftpsState',
  'alwaysOn',
  'linuxFxVersion',
  'use32BitWorkerProcess',
  'preWarmedInstanceCount',
  'functionAppScaleLimit',
  'minimumElasticInstanceCount',
  'netFrameworkVersion',
  'javaVersion',
  'nodeVersion',
  'powerShellVersion',
  'pythonVersion',
];

/** Flex's documented lowest `maximumInstanceCount` (Learn, flex-consumption-plan.md). */
export const FLEX_MIN_MAXIMUM_INSTANCES = 40;

export interface PitfallInput {
  files: BicepFile[];
  hostJson: {
    logging?: {
      applicationInsights?: { samplingSettings?: { isEnabled?: boolean; excludedTypes?: string } };
    };
  };
  operatorParameters: { parameters: Record<string, { value: unknown } | undefined> };
  /** infra/deploy.sh */
  deployScript: string;
  /** azure.yaml */
  azureYaml: string;
}

/**
 * Deploy-time defects a compiler would not catch (infra review B1, B2, H1, H2, M1, M3, M4, L1-L4, L6; security
 * review H3, L6, L10; least-privilege Graph identity). Each rule names the defect it guards against.
 */
export function checkTemplatePitfalls(input: PitfallInput): string[] {
  const problems: string[] = [];
  const file = (p: string) => input.files.find((f) => f.path === p)?.text ?? '';
  const main = file('main.bicep');
  const functionApp = file('modules/functionApp.bicep');
  const email = file('modules/email.bicep');
  const graph = file('modules/graph.bicep');
  const blocks = input.files.flatMap(resourceBlocks);

  // B1: ARM validates names of condition-false resources; a string parameter without @minLength may be ''.
  for (const f of input.files) {
    const params = new Set(
      [...f.text.matchAll(/^((?:@.*\n)*)param\s+(\w+)\s+string\b/gm)]
        .filter((m) => !/@minLength\([1-9]/.test(m[1] ?? ''))
        .map((m) => m[2] ?? ''),
    );
    for (const b of resourceBlocks(f)) {
      const name = /^\s*name:\s*(\w+)\s*$/m.exec(b.masked)?.[1];
      if (b.conditional && name && params.has(name))
        problems.push(
          `${f.path}: conditional resource ${b.symbol} takes its name from parameter ${name}, which may be empty`,
        );
    }
  }

  // B2: Flex rejects a maximum below 40 outside preview regions.
  const maxDefault = Number(/param maximumInstanceCount int = (\d+)/.exec(main)?.[1]);
  if (!(maxDefault >= FLEX_MIN_MAXIMUM_INSTANCES))
    problems.push(`main.bicep: maximumInstanceCount defaults to ${maxDefault}, below the Flex minimum of 40`);
  const maxParam = input.operatorParameters.parameters.maximumInstanceCount?.value;
  if (maxParam !== undefined && !(Number(maxParam) >= FLEX_MIN_MAXIMUM_INSTANCES))
    problems.push(
      `operator.parameters.json: maximumInstanceCount ${JSON.stringify(maxParam)} is below the Flex minimum of 40`,
    );

  // L6: always-ready instances above the maximum.
  if (!/min\(\s*alwaysReadyHttpInstances\s*,\s*maximumInstanceCount\s*\)/.test(functionApp))
    problems.push('modules/functionApp.bicep: alwaysReady instances are not capped at maximumInstanceCount');

  // H1: the resource provider needs `location` on publishing-credential policies.
  for (const b of blocks.filter((x) => x.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies')) {
    if (!/^\s*location:/m.test(b.masked)) problems.push(`${b.file}: ${b.symbol} has no location`);
  }

  // H2: siteConfig properties Flex rejects (error 51021).
  for (const b of blocks.filter((x) => x.type === 'Microsoft.Web/sites')) {
    for (const key of FLEX_REJECTED_SITE_CONFIG) {
      if (new RegExp(`^\\s*${key}:`, 'm').test(b.masked))
        problems.push(`${b.file}: siteConfig.${key} is rejected on Flex Consumption`);
    }
  }

  // M1: ACS refuses custom sender usernames at the default quota.
  if (!/^\s*senderUsername: senderUsernameQuotaRaised \? senderUsername : 'DoNotReply'\s*$/m.test(main))
    problems.push(
      'main.bicep: the email module gets a custom senderUsername without senderUsernameQuotaRaised',
    );

  // M4: the custom role's own id (implicit dependency) when the mode is custom.
  if (!/roleDefinitionId: senderRoleMode == 'custom' \? senderRoleDefinition\.id :/.test(email))
    problems.push('modules/email.bicep: the sender role assignment does not use senderRoleDefinition.id');

  // Security review L6: the host buffers bodies up to 100 MB unless told otherwise.
  const bodyLimit = Number(/FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '(\d+)'/.exec(functionApp)?.[1]);
  if (!(bodyLimit >= 65536 && bodyLimit <= 100000))
    problems.push('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is not set to about 70000 bytes');

  // Security review L10: the security events are traces; sampling must not drop them.
  const sampling = input.hostJson.logging?.applicationInsights?.samplingSettings;
  const excluded = (sampling?.excludedTypes ?? '').split(';').map((t) => t.trim());
  if (sampling?.isEnabled !== false && !excluded.includes('Trace'))
    problems.push('host.json: Application Insights sampling can drop trace events');

  // Least privilege (review H3): a Graph-only identity, attached to the Function App alone, holding no Azure roles.
  if (
    !blocks.some(
      (b) => b.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' && b.symbol === 'graphIdentity',
    )
  )
    problems.push('main.bicep: no separate user-assigned identity graphIdentity for Graph');
  if (!/params: \{\s*principalId: graphIdentity\.properties\.principalId\s*grantGraphPermissions:/.test(main))
    problems.push('main.bicep: the Graph app roles are not granted to graphIdentity');
  // Anything else using its principal id (a role assignment, another module) would widen it.
  const principalUses = [...main.matchAll(/graphIdentity\.properties\.principalId/g)].length;
  const principalOutputs = [
    ...main.matchAll(/^(?:output|\s*text:).*graphIdentity\.properties\.principalId/gm),
  ].length;
  if (principalUses - principalOutputs !== 1)
    problems.push("main.bicep: graphIdentity's principal is used outside the Graph module");
  if (!/GRAPH_CLIENT_ID: graphIdentity\.properties\.clientId/.test(main))
    problems.push("main.bicep: GRAPH_CLIENT_ID is not the Graph identity's client id");
  if (!/'\$\{graphIdentityId\}': \{\}/.test(functionApp))
    problems.push('modules/functionApp.bicep: the Graph identity is not attached to the Function App');

  // Least privilege (review H3): Graph app roles only when a feature needs them.
  const perms = /var graphPermissions = concat\(([\s\S]*?)\n\)/.exec(main)?.[1] ?? '';
  const rules: [string, RegExp][] = [
    ['User.Invite.All and User.Read.All', /^\s*\['User\.Invite\.All', 'User\.Read\.All'\],$/m],
    ['GroupMember.ReadWrite.All', /^\s*hasPartnerGroups \? \['GroupMember\.ReadWrite\.All'\] : \[\],$/m],
    [
      'ExchangeMessageTrace.Read.All',
      /^\s*enableProofOfSend \? \['ExchangeMessageTrace\.Read\.All'\] : \[\],$/m,
    ],
    // Deleting guests: erasure that may delete, or the guest lifecycle (expired guests are deleted).
    [
      'User.DeleteRestore.All',
      /^\s*\(allowGuestDeletion \|\| guestLifetimeDays > 0 \|\| guestInactiveDays > 0\) \? \['User\.DeleteRestore\.All'\] : \[\],$/m,
    ],
    // Guest lifecycle: disabling unrenewed or inactive guests; sign-in activity only when inactivity counts.
    [
      'User.EnableDisableAccount.All',
      /^\s*\(guestLifetimeDays > 0 \|\| guestInactiveDays > 0\) \? \['User\.EnableDisableAccount\.All'\] : \[\],$/m,
    ],
    ['AuditLog.Read.All', /^\s*guestInactiveDays > 0 \? \['AuditLog\.Read\.All'\] : \[\],$/m],
    // The readiness check reads tenant policies in every deployment (read-only).
    [
      'Policy.Read.All, Policy.Read.AuthenticationMethod and Policy.Read.B2BManagementPolicy',
      /^\s*\['Policy\.Read\.All', 'Policy\.Read\.AuthenticationMethod', 'Policy\.Read\.B2BManagementPolicy'\]$/m,
    ],
  ];
  for (const [permission, rule] of rules)
    if (!rule.test(perms))
      problems.push(`main.bicep: Graph permission ${permission} is not granted under its condition`);
  // Partner groups are the only groups the app writes: listed ones, plus the one Bicep may create.
  if (!/^var hasPartnerGroups = createPartnerGroup \|\| !empty\(partnerGroupIds\)$/m.test(main))
    problems.push('main.bicep: hasPartnerGroups is not "a partner group is listed or created"');
  if (
    !/concat\(partnerGroupIds, \[graph\.outputs\.partnerGroupId\]\)/.test(main) ||
    !/PARTNER_GROUP_IDS: join\(effectivePartnerGroupIds, ','\)/.test(main)
  )
    problems.push('main.bicep: the created partner group is not appended to PARTNER_GROUP_IDS');
  const named = [...perms.matchAll(/'([A-Za-z0-9.]+)'/g)].length;
  if (named !== ALL_GRAPH_ROLES.length)
    problems.push(
      `main.bicep: graphPermissions names ${named} permissions, expected ${ALL_GRAPH_ROLES.length}`,
    );
  if (
    !/for permission in graphPermissions: if \(grantGraphPermissions\)/.test(graph) ||
    graph.includes("'GroupMember")
  )
    problems.push(
      'modules/graph.bicep: grants a fixed permission list instead of the graphPermissions parameter',
    );

  // Review H2: a group Bicep creates hides its members, sends no welcome mail, stays out of Outlook.
  for (const b of blocks.filter((x) => x.type === 'Microsoft.Graph/groups')) {
    if (!/visibility: 'HiddenMembership'/.test(b.body))
      problems.push(`${b.file}: group ${b.symbol} is not HiddenMembership`);
    for (const option of [
      'WelcomeEmailDisabled',
      'HideGroupInOutlook',
      'SubscribeMembersToCalendarEventsDisabled',
    ])
      if (!b.body.includes(`'${option}'`)) problems.push(`${b.file}: group ${b.symbol} lacks ${option}`);
  }

  // deploy.sh (infra review L1-L3, M3) and azure.yaml (L4).
  const sh = input.deployScript;
  if (/az webapp log tail/.test(sh))
    problems.push('deploy.sh: suggests az webapp log tail, which Flex lacks');
  if (!/version_ge "\$\{bicep_version:-0\}" "0\.36\.1"/.test(sh))
    problems.push('deploy.sh: does not check Bicep >= 0.36.1 (Graph extension)');
  if (!/read -r -p [^\n]*answer \|\| answer=/.test(sh))
    problems.push('deploy.sh: the what-if prompt aborts under set -u without a terminal');
  if (!/az functionapp restart/.test(sh))
    problems.push('deploy.sh: no restart when the health check fails (Key Vault reference cached 24 h)');
  if (!/az deployment operation group list/.test(sh))
    problems.push('deploy.sh: does not print the ARM error before retrying');
  if (!/preprovision:[\s\S]*AZURE_ENV_NAME/.test(input.azureYaml))
    problems.push('azure.yaml: the azd environment name is not checked before provisioning');
  if (!/postprovision:[\s\S]*azd env set RMS_CREATE_CODE_HMAC_SECRET false/.test(input.azureYaml))
    problems.push('azure.yaml: RMS_CREATE_CODE_HMAC_SECRET is not turned off after provisioning');
  return problems;
}

// ------------------------------------------------------------------------------------------ inputs

function listFiles(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : listFiles(full, ext);
    return name.endsWith(ext) ? [full] : [];
  });
}

function readBicep(): BicepFile[] {
  return listFiles(infraDir, '.bicep').map((full) => ({
    path: path.relative(infraDir, full).split(path.sep).join('/'),
    text: readFileSync(full, 'utf8'),
  }));
}

function codeEvents(): Set<string> {
  const events = new Set<string>();
  for (const dir of ['shared', 'functions']) {
    for (const file of listFiles(path.join(root, dir), '.ts')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\.event\(\s*['"]([a-z_]+)['"]/g))
        events.add(m[1] ?? '');
      // log.event(kind === 'throttled' ? 'graph_throttled' : ...): names chosen in a ternary
      for (const m of readFileSync(file, 'utf8').matchAll(
        /\.event\(\s*[^,)]*\?\s*'([a-z_]+)'\s*:\s*'([a-z_]+)'/g,
      )) {
        events.add(m[1] ?? '');
        events.add(m[2] ?? '');
      }
    }
  }
  return events;
}

function realInput(): DriftInput {
  return {
    files: readBicep(),
    settings: SETTINGS,
    queues: Object.values(QUEUES),
    tables: Object.values(TABLES),
    codeEvents: codeEvents(),
    codeMetrics: new Set<string>([...COUNTERS, ...GAUGES]),
    workbook: readFileSync(path.join(infraDir, 'workbook.json'), 'utf8'),
  };
}

function realPitfallInput(files: BicepFile[]): PitfallInput {
  const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
  return {
    files,
    hostJson: JSON.parse(read('host.json')) as PitfallInput['hostJson'],
    operatorParameters: JSON.parse(
      read('infra/operator.parameters.json'),
    ) as PitfallInput['operatorParameters'],
    deployScript: read('infra/deploy.sh'),
    azureYaml: read('azure.yaml'),
  };
}

function withFile<T extends { files: BicepFile[] }>(
  input: T,
  filePath: string,
  edit: (text: string) => string,
): T {
  let changed = false;
  const files = input.files.map((f) => {
    if (f.path !== filePath) return f;
    const text = edit(f.text);
    changed = text !== f.text;
    return { ...f, text };
  });
  if (!changed) throw new Error(`edit of ${filePath} changed nothing`);
  return { ...input, files };
}

// --------------------------------------------------- Graph permissions: Bicep vs the readiness check

/** The Bicep parameters (and `hasPartnerGroups`) the graphPermissions conditions read. */
export type GraphParams = Record<
  'hasPartnerGroups' | 'enableProofOfSend' | 'allowGuestDeletion' | 'guestLifetimeDays' | 'guestInactiveDays',
  boolean | number
>;

/** Splits `text` at top-level commas (outside brackets and parentheses). */
function topLevelItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items.map((t) => t.trim()).filter(Boolean);
}

/** Evaluates a Bicep condition of `||`, `&&`, `>`, `!`, parentheses, integers and `params` names. */
function evalCondition(text: string, params: GraphParams): boolean | number {
  const tokens = text.match(/\|\||&&|[()!>]|\d+|[A-Za-z]\w*|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const primary = (): boolean | number => {
    const t = next();
    if (t === '!') return !primary();
    if (t === '(') {
      const v = or();
      if (next() !== ')') throw new Error(`unbalanced condition: ${text}`);
      return v;
    }
    if (t && /^\d+$/.test(t)) return Number(t);
    if (t && t in params) return params[t as keyof GraphParams];
    throw new Error(`graphPermissions condition reads ${t ?? 'nothing'}, which the drift test does not know`);
  };
  const compare = (): boolean | number => {
    const left = primary();
    if (peek() !== '>') return left;
    next();
    return Number(left) > Number(primary());
  };
  const and = (): boolean | number => {
    let v = compare();
    while (peek() === '&&') {
      next();
      const r = compare();
      v = Boolean(v) && Boolean(r);
    }
    return v;
  };
  const or = (): boolean | number => {
    let v = and();
    while (peek() === '||') {
      next();
      const r = and();
      v = Boolean(v) || Boolean(r);
    }
    return v;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`cannot read condition: ${text}`);
  return value;
}

/** The roles main.bicep's `graphPermissions` concat grants for `params`, sorted. */
export function bicepGraphRoles(main: string, params: GraphParams): string[] {
  const body = /var graphPermissions = concat\(([\s\S]*?)\n\)/.exec(main)?.[1];
  if (body === undefined) throw new Error('main.bicep: no var graphPermissions = concat(...)');
  const roles = topLevelItems(body.replace(/\/\/.*$/gm, '')).flatMap((item) => {
    const list = (t: string) => [...t.matchAll(/'([A-Za-z0-9.]+)'/g)].map((m) => m[1] ?? '');
    const conditional = /^([\s\S]+?)\?\s*(\[[^\]]*\])\s*:\s*\[\]$/.exec(item);
    if (conditional) return evalCondition(conditional[1] ?? '', params) ? list(conditional[2] ?? '') : [];
    if (/^\[[^\]]*\]$/.test(item)) return list(item);
    throw new Error(`main.bicep: graphPermissions item the drift test cannot read: ${item}`);
  });
  return [...new Set(roles)].sort();
}

/** Every parameter combination whose Bicep grant differs from what readiness requires for the same features. */
export function graphPermissionDrift(
  main: string,
  required: (features: GraphFeatures) => readonly string[],
): string[] {
  const problems: string[] = [];
  for (const hasPartnerGroups of [false, true])
    for (const enableProofOfSend of [false, true])
      for (const allowGuestDeletion of [false, true])
        for (const guestLifetimeDays of [0, 365])
          for (const guestInactiveDays of [0, 90]) {
            const params = {
              hasPartnerGroups,
              enableProofOfSend,
              allowGuestDeletion,
              guestLifetimeDays,
              guestInactiveDays,
            };
            const granted = bicepGraphRoles(main, params);
            const needed = [
              ...new Set(
                required({
                  partnerGroups: hasPartnerGroups,
                  proofOfSend: enableProofOfSend,
                  guestDeletion: allowGuestDeletion,
                  guestLifetimeDays,
                  guestInactiveDays,
                }),
              ),
            ].sort();
            if (granted.join() !== needed.join())
              problems.push(
                `${JSON.stringify(params)}: Bicep grants [${granted.join(', ')}], readiness requires [${needed.join(', ')}]`,
              );
          }
  return problems;
}

const readinessRoles = (f: GraphFeatures) => requiredGraphRoles(f).map((n) => n.role);

// ------------------------------------------------------------------------------------------ tests

describe('infra drift (infra/*.bicep vs shared/config.ts and shared/storageNames.ts)', () => {
  const input = realInput();
  const pitfallInput = realPitfallInput(input.files);

  it('finds the Bicep files it checks', () => {
    expect(input.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'main.bicep',
        'modules/storage.bicep',
        'modules/functionApp.bicep',
        'modules/graph.bicep',
      ]),
    );
  });

  it('sets every Azure app setting the code reads, and nothing unknown, forbidden or invalid', () => {
    expect(checkInfraDrift(input)).toEqual([]);
  });

  it('reads the app settings of both marked objects, with literal values where there are any', () => {
    const settings = input.files.flatMap(appSettingsOf);
    const byName = new Map(settings.map((s) => [s.name, s]));
    expect(byName.get('EMAIL_TRANSPORT')?.literal).toBe('acs');
    expect(byName.get('TRUSTED_PROXY_HOPS')?.literal).toBe('1');
    expect(byName.get('GRAPH_BASE_URL')?.value).toBe('graphBaseUrl');
    expect(byName.get('AzureWebJobsStorage__credential')?.literal).toBe('managedidentity');
    expect(byName.get('CODE_HMAC_SECRET')?.value).toMatch(/KeyVault/i);
    expect(byName.has('AzureWebJobsStorage')).toBe(false); // the connection-string form is local only
    const azureSettings = Object.values(SETTINGS as unknown as Record<string, SettingSpec>).filter(
      (s) => s.scope !== 'local',
    );
    const hostOnly = settings.filter((s) => !(s.name in SETTINGS)).map((s) => s.name);
    expect(hostOnly.sort()).toEqual([
      'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'AzureWebJobsStorage__blobServiceUri',
      'AzureWebJobsStorage__credential',
      'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT',
    ]);
    expect(settings).toHaveLength(azureSettings.length + hostOnly.length);
  });

  it('declares the Bicep structure correctly as far as a text check can tell', () => {
    const config: unknown = JSON.parse(readFileSync(path.join(infraDir, 'bicepconfig.json'), 'utf8'));
    expect(checkBicepStructure(input.files, config)).toEqual([]);
  });

  it("caps queue concurrency per instance; the per-function-group instance cap is Flex's minimum (req 59)", () => {
    const host = JSON.parse(readFileSync(path.join(root, 'host.json'), 'utf8')) as {
      extensions: { queues: { batchSize: number; newBatchThreshold: number } };
    };
    expect(host.extensions.queues.batchSize).toBeLessThanOrEqual(4);
    expect(host.extensions.queues.newBatchThreshold).toBeLessThanOrEqual(2);
    // Flex rejects a maximum below 40 outside preview regions; the shared budgets hold Graph and ACS.
    const main = input.files.find((f) => f.path === 'main.bicep')?.text ?? '';
    const cap = /param maximumInstanceCount int = (\d+)/.exec(main);
    expect(Number(cap?.[1])).toBe(FLEX_MIN_MAXIMUM_INSTANCES);
  });

  it('avoids the known deploy-time pitfalls and grants Graph only what the features need', () => {
    expect(checkTemplatePitfalls(pitfallInput)).toEqual([]);
  });

  it('grants the Graph identity, for every parameter combination, exactly the roles readiness requires for the same features', () => {
    const main = input.files.find((f) => f.path === 'main.bicep')?.text ?? '';
    expect(graphPermissionDrift(main, readinessRoles)).toEqual([]);
  });

  it('creates the admin app registration: both app roles, the audience, the /console SPA redirect, the admin group assigned; entra is the only mode (security review M1)', () => {
    const file = (name: string) => input.files.find((f) => f.path === name)?.text ?? '';
    const adminApp = file('modules/adminApp.bicep');
    const main = file('main.bicep');
    const problems: string[] = [];
    const expectIn = (text: string, what: string, re: RegExp) => {
      if (!re.test(text)) problems.push(what);
    };
    expectIn(adminApp, 'application resource', /^resource app 'Microsoft\.Graph\/applications@v1\.0'/m);
    expectIn(adminApp, 'RmsSignup.Admin role', /value: 'RmsSignup\.Admin'/);
    expectIn(adminApp, 'RmsSignup.Reader role', /value: 'RmsSignup\.Reader'/);
    expectIn(adminApp, 'identifier URI from the audience', /identifierUris: \[audience\]/);
    expectIn(adminApp, 'v2 access tokens', /requestedAccessTokenVersion: 2/);
    expectIn(adminApp, 'SPA redirect URIs', /spa: \{\s*redirectUris: redirectUris/);
    expectIn(adminApp, 'service principal with assignment required', /appRoleAssignmentRequired: true/);
    expectIn(
      adminApp,
      'admin group assigned to the admin role',
      /resource adminAssignment 'Microsoft\.Graph\/appRoleAssignedTo@v1\.0' = if \(!empty\(adminGroupId\)\) \{\s*principalId: adminGroupId\s*resourceId: servicePrincipal\.id\s*appRoleId: adminRoleId/,
    );
    expectIn(
      main,
      'redirect URI ends in /console',
      /'https:\/\/\$\{names\.functionApp\}\.azurewebsites\.net\/console'/,
    );
    expectIn(main, 'adminGroupId passed on', /adminGroupId: adminGroupId/);
    expectIn(
      main,
      "ADMIN_AUTH allows only 'entra'",
      /@allowed\(\['entra'\]\)[^\n]*\n[^\n]*\nparam adminAuth string = 'entra'/,
    );
    expectIn(
      main,
      'ADMIN_CLIENT_ID from the module',
      /ADMIN_CLIENT_ID: createAdminApp \? adminApp\.outputs\.clientId/,
    );
    if (/ADMIN_AUTH: 'key'/.test(main)) problems.push('ADMIN_AUTH key in Azure');
    expect(problems).toEqual([]);
  });

  it('subscribes emailDeliveryReport to ACS delivery reports after the code is deployed, and alerts on a bounce rate over 5 % in the last hour', () => {
    const file = (name: string) => input.files.find((f) => f.path === name)?.text ?? '';
    const reports = file('modules/deliveryReports.bicep');
    const main = file('main.bicep');
    const monitoring = file('modules/monitoring.bicep');
    const deploy = readFileSync(path.join(infraDir, 'deploy.sh'), 'utf8');
    const checks: Array<[string, string, RegExp]> = [
      [
        'system topic',
        reports,
        /^resource systemTopic 'Microsoft\.EventGrid\/systemTopics@2022-06-15' = \{/m,
      ],
      [
        'topic on the ACS resource',
        reports,
        /source: communication\.id\s*topicType: 'Microsoft\.Communication\.CommunicationServices'/,
      ],
      ['global topic (ACS is global)', reports, /location: 'global'/],
      [
        'subscription',
        reports,
        /^resource deliveryReports 'Microsoft\.EventGrid\/systemTopics\/eventSubscriptions@2022-06-15' = \{\s*parent: systemTopic/m,
      ],
      [
        'AzureFunction endpoint',
        reports,
        /endpointType: 'AzureFunction'\s*properties: \{\s*resourceId: '\$\{functionApp\.id\}\/functions\/emailDeliveryReport'/,
      ],
      [
        'filtered to delivery reports',
        reports,
        /includedEventTypes: \[\s*'Microsoft\.Communication\.EmailDeliveryReportReceived'\s*\]/,
      ],
      [
        'conditional in main.bicep',
        main,
        /module deliveryReports 'modules\/deliveryReports\.bicep' = if \(subscribeDeliveryReports\)/,
      ],
      ['off by default (the function must exist first)', main, /param subscribeDeliveryReports bool = false/],
      [
        'deploy.sh subscribes after the zip deployment',
        deploy,
        /config-zip[\s\S]*modules\/deliveryReports\.bicep/,
      ],
      [
        'bounce-rate alert',
        monitoring,
        /name: 'bounce-rate'[\s\S]*?query: bounceRateQuery[\s\S]*?windowSize: 'PT1H'/,
      ],
      ['bounce rate over 5 % of sent', monitoring, /bounced \* 100\.0 \/ sent > 5/],
    ];
    expect(checks.filter(([, text, re]) => !re.test(text)).map(([what]) => what)).toEqual([]);
    // The function the subscription names exists and is an Event Grid trigger.
    expect(readFileSync(path.join(root, 'functions', 'emailDeliveryReport.ts'), 'utf8')).toMatch(
      /app\.eventGrid\('emailDeliveryReport'/,
    );
  });

  describe('the detector itself', () => {
    it('fails, naming the setting, when an app setting is removed from the Bicep', () => {
      const broken = withFile(input, 'main.bicep', (t) => t.replace(/^\s*SIGN_IN_URL: signInUrl\n/m, ''));
      expect(checkInfraDrift(broken)).toEqual([
        'app setting SIGN_IN_URL (shared/config.ts) is not set by infra/',
      ]);
    });

    it('fails on an app setting the code does not know, and on Flex-forbidden ones', () => {
      const broken = withFile(input, 'main.bicep', (t) =>
        t.replace(
          '  EMAIL_TRANSPORT: ',
          "  MYSTERY_SETTING: 'x'\n  FUNCTIONS_WORKER_RUNTIME: 'node'\n  EMAIL_TRANSPORT: ",
        ),
      );
      expect(checkInfraDrift(broken)).toEqual([
        'app setting MYSTERY_SETTING (main.bicep) is neither in shared/config.ts nor a known host setting',
        'app setting FUNCTIONS_WORKER_RUNTIME must not be set on Flex Consumption',
      ]);
    });

    it('fails on a literal value the config schema rejects, and on a plain-text secret', () => {
      const broken = withFile(input, 'main.bicep', (t) =>
        t
          .replace("TRUSTED_PROXY_HOPS: '1'", "TRUSTED_PROXY_HOPS: 'one'")
          .replace("SMTP_PASSWORD: ''", "SMTP_PASSWORD: 'hunter2'"),
      );
      expect(checkInfraDrift(broken)).toEqual([
        "app setting TRUSTED_PROXY_HOPS = 'one' is invalid for shared/config.ts",
        "secret app setting SMTP_PASSWORD must be empty or a Key Vault reference, not 'hunter2'",
      ]);
    });

    it('fails when a queue or table the code uses has no resource', () => {
      const broken = withFile(input, 'modules/storage.bicep', (t) =>
        t.replace(/^\s*'signup-provision-poison'\n/m, '').replace(/^\s*'audit'\n/m, ''),
      );
      expect(checkInfraDrift(broken)).toEqual([
        'queue signup-provision-poison (shared/storageNames.ts) has no resource in infra/',
        'table audit (shared/storageNames.ts) has no resource in infra/',
      ]);
    });

    it('fails when a required role is no longer assigned', () => {
      const broken = withFile(input, 'modules/storage.bicep', (t) =>
        t.replace('974c5e8b-45b9-4653-ba55-5f855dd0fb88', 'removed'),
      );
      expect(checkInfraDrift(broken)).toEqual([
        'role Storage Queue Data Contributor (974c5e8b-45b9-4653-ba55-5f855dd0fb88) is not assigned in infra/',
      ]);
    });

    it('fails when an alert watches an event the code never logs', () => {
      const broken = {
        ...input,
        codeEvents: new Set([...input.codeEvents].filter((e) => e !== 'poison_message')),
      };
      expect(checkInfraDrift(broken)).toEqual([
        'alert rule watches event poison_message, which the code never logs',
      ]);
    });

    it('fails when an alert or the workbook uses a metric the code never emits', () => {
      const broken = {
        ...input,
        codeMetrics: new Set(
          [...input.codeMetrics].filter((m) => m !== 'graph.requests' && m !== 'signups.ready'),
        ),
      };
      expect(checkInfraDrift(broken)).toEqual([
        'alert rule watches metric graph.requests, which the code never emits',
        'workbook queries metric signups.ready, which the code never emits',
        'workbook queries metric graph.requests, which the code never emits',
      ]);
    });

    it('fails when the workbook is gone or lacks a part', () => {
      const noFunnel = JSON.parse(input.workbook) as { items: Array<{ name: string }> };
      noFunnel.items = noFunnel.items.filter((i) => i.name !== 'funnel');
      expect(checkInfraDrift({ ...input, workbook: JSON.stringify(noFunnel) })).toEqual([
        'workbook has no funnel query',
      ]);
      const gone = withFile(input, 'modules/monitoring.bicep', (t) =>
        t.replace("'Microsoft.Insights/workbooks@2023-06-01'", "'Microsoft.Insights/components@2020-02-02'"),
      );
      expect(checkInfraDrift(gone)).toContain('no Application Insights workbook in infra/');
    });

    it('fails on each deploy-time pitfall of the earlier template (infra review B1-M4, review H2, H3)', () => {
      let old = withFile(pitfallInput, 'modules/email.bicep', (t) =>
        t
          .replace('name: customDomainResourceName', 'name: customDomainName')
          .replace(
            "senderRoleMode == 'custom' ? senderRoleDefinition.id : senderRoleDefinitionId",
            'senderRoleDefinitionId',
          ),
      );
      old = withFile(old, 'modules/functionApp.bicep', (t) =>
        t
          .replace(/^\s*#disable-next-line BCP037\n\s*location: location\n/m, '')
          .replace(
            "      minTlsVersion: '1.2'\n",
            "      minTlsVersion: '1.2'\n      ftpsState: 'Disabled'\n",
          )
          .replace('min(alwaysReadyHttpInstances, maximumInstanceCount)', 'alwaysReadyHttpInstances')
          .replace("'${graphIdentityId}': {}", '')
          .replace("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '70000'", ''),
      );
      old = withFile(old, 'main.bicep', (t) =>
        t
          .replace('param maximumInstanceCount int = 40', 'param maximumInstanceCount int = 5')
          .replace(
            "senderUsername: senderUsernameQuotaRaised ? senderUsername : 'DoNotReply'",
            'senderUsername: senderUsername',
          )
          .replace(
            'principalId: graphIdentity.properties.principalId\n    grantGraphPermissions',
            'principalId: identity.properties.principalId\n    grantGraphPermissions',
          )
          .replace(
            "enableProofOfSend ? ['ExchangeMessageTrace.Read.All'] : [],",
            "['ExchangeMessageTrace.Read.All'],",
          ),
      );
      old = withFile(old, 'modules/graph.bicep', (t) =>
        t
          .replace("visibility: 'HiddenMembership'", "visibility: 'Private'")
          .replace("    'WelcomeEmailDisabled'\n", ''),
      );
      const oldHost = {
        logging: {
          applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: 'Request;Exception' } },
        },
      };
      expect(
        checkTemplatePitfalls({
          ...old,
          hostJson: oldHost,
          operatorParameters: { parameters: { maximumInstanceCount: { value: 5 } } },
          deployScript: 'read -r -p "Apply?" answer\naz webapp log tail -g rg -n app\n',
          azureYaml: 'hooks:\n  prepackage:\n',
        }),
      ).toEqual([
        'modules/email.bicep: conditional resource customDomain takes its name from parameter customDomainName, which may be empty',
        'main.bicep: maximumInstanceCount defaults to 5, below the Flex minimum of 40',
        'operator.parameters.json: maximumInstanceCount 5 is below the Flex minimum of 40',
        'modules/functionApp.bicep: alwaysReady instances are not capped at maximumInstanceCount',
        'modules/functionApp.bicep: scmBasicAuth has no location',
        'modules/functionApp.bicep: siteConfig.ftpsState is rejected on Flex Consumption',
        'main.bicep: the email module gets a custom senderUsername without senderUsernameQuotaRaised',
        'modules/email.bicep: the sender role assignment does not use senderRoleDefinition.id',
        'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is not set to about 70000 bytes',
        'host.json: Application Insights sampling can drop trace events',
        'main.bicep: the Graph app roles are not granted to graphIdentity',
        "main.bicep: graphIdentity's principal is used outside the Graph module",
        'modules/functionApp.bicep: the Graph identity is not attached to the Function App',
        'main.bicep: Graph permission ExchangeMessageTrace.Read.All is not granted under its condition',
        'modules/graph.bicep: group partnerGroup is not HiddenMembership',
        'modules/graph.bicep: group partnerGroup lacks WelcomeEmailDisabled',
        'deploy.sh: suggests az webapp log tail, which Flex lacks',
        'deploy.sh: does not check Bicep >= 0.36.1 (Graph extension)',
        'deploy.sh: the what-if prompt aborts under set -u without a terminal',
        'deploy.sh: no restart when the health check fails (Key Vault reference cached 24 h)',
        'deploy.sh: does not print the ARM error before retrying',
        'azure.yaml: the azd environment name is not checked before provisioning',
        'azure.yaml: RMS_CREATE_CODE_HMAC_SECRET is not turned off after provisioning',
      ]);
    });

    it('fails when Graph gets a permission no feature asked for', () => {
      const widened = withFile(pitfallInput, 'main.bicep', (t) =>
        t.replace('  enableProofOfSend ?', "  ['Directory.ReadWrite.All'],\n  enableProofOfSend ?"),
      );
      expect(checkTemplatePitfalls(widened)).toEqual([
        'main.bicep: graphPermissions names 11 permissions, expected 10',
      ]);
    });

    it('fails when either side of the Graph permissions drifts: a Bicep condition, a Bicep role, or the readiness derivation', () => {
      const main = input.files.find((f) => f.path === 'main.bicep')?.text ?? '';
      const everyDeployment =
        "['Policy.Read.All', 'Policy.Read.AuthenticationMethod', 'Policy.Read.B2BManagementPolicy']";
      // AuditLog.Read.All granted with the lifetime too, not only with inactivity.
      const widened = main.replace(
        "guestInactiveDays > 0 ? ['AuditLog.Read.All']",
        "(guestLifetimeDays > 0 || guestInactiveDays > 0) ? ['AuditLog.Read.All']",
      );
      expect(widened).not.toBe(main);
      const drift = graphPermissionDrift(widened, readinessRoles);
      expect(drift).toHaveLength(8); // lifetime on, inactivity off: 2 × 2 × 2 combinations
      expect(drift[0]).toContain('"guestLifetimeDays":365,"guestInactiveDays":0');
      // A readiness permission dropped from Bicep: every combination drifts.
      const dropped = main.replace(everyDeployment, "['Policy.Read.All']");
      expect(dropped).not.toBe(main);
      expect(graphPermissionDrift(dropped, readinessRoles)).toHaveLength(32);
      // The readiness side asks for one more role with proof of send: exactly those combinations drift.
      const more = (f: GraphFeatures) => [...readinessRoles(f), ...(f.proofOfSend ? ['Mail.Read'] : [])];
      expect(graphPermissionDrift(main, more)).toHaveLength(16);
      // A condition on a parameter the test does not model is refused, not guessed.
      expect(() =>
        graphPermissionDrift(main.replace('enableProofOfSend ?', 'enableMailTrace ?'), readinessRoles),
      ).toThrow('enableMailTrace');
    });

    it('fails when the created partner group is left out of PARTNER_GROUP_IDS or group writes are always granted', () => {
      const old = withFile(pitfallInput, 'main.bicep', (t) =>
        t
          .replace("join(effectivePartnerGroupIds, ',')", "join(partnerGroupIds, ',')")
          .replace(
            "  hasPartnerGroups ? ['GroupMember.ReadWrite.All'] : [],",
            "  ['GroupMember.ReadWrite.All'],",
          ),
      );
      expect(checkTemplatePitfalls(old)).toEqual([
        'main.bicep: Graph permission GroupMember.ReadWrite.All is not granted under its condition',
        'main.bicep: the created partner group is not appended to PARTNER_GROUP_IDS',
      ]);
    });

    it('reports preview API versions, missing modules and a Graph resource without the extension', () => {
      const files: BicepFile[] = [
        {
          path: 'main.bicep',
          text: [
            "module m 'modules/missing.bicep' = {",
            '}',
            "resource a 'Microsoft.Web/sites@2024-01-01-preview' = {",
            '}',
            "// resource b 'Microsoft.Web/sites@2099-preview' = {",
            "resource g 'Microsoft.Graph/groups@v1.0' = {",
            '}',
          ].join('\n'),
        },
      ];
      expect(
        checkBicepStructure(files, { extensions: { microsoftGraphV1: 'br:example.com/graph:latest' } }),
      ).toEqual([
        'main.bicep: Microsoft.Web/sites@2024-01-01-preview is not a stable API version',
        'main.bicep: module modules/missing.bicep does not exist',
        "main.bicep: Microsoft.Graph @v1.0 resources and 'extension microsoftGraphV1' must go together",
        'bicepconfig.json: extensions.microsoftGraphV1 is not a pinned Graph v1.0 extension (br:example.com/graph:latest)',
        'bicepconfig.json: extensions.microsoftGraphBeta is not a pinned Graph beta extension ()',
      ]);
    });

    it('ignores keys in comments and strings, and reports unbalanced brackets', () => {
      const file: BicepFile = {
        path: 'x.bicep',
        text: [
          '// drift:app-settings',
          'var s = {',
          "  A: 'a // not a comment' // B: 'nope'",
          "  C: '${empty(x) ? '}' : 'y'}'",
          '  /* D: 1 */',
          '  E: {',
          '    F: 1',
          '  }',
          '}',
          'var broken = [',
        ].join('\n'),
      };
      expect(appSettingsOf(file).map((s) => [s.name, s.literal])).toEqual([
        ['A', 'a // not a comment'],
        ['C', undefined],
        ['E', undefined],
      ]);
      expect(bracketProblems(file)).toEqual(['x.bicep:10: bracket never closed']);
    });
  });
});
