/**
 * openapi.yaml against shared/contracts: every component schema has a contract of the same name (and
 * `Error` is `ErrorBody`), and their property names, required lists and enums agree both ways. The
 * JSON Schemas of the contracts come from zod itself (`z.toJSONSchema`), so nothing here restates them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';
import { z } from 'zod';

import { ERROR_CODES, ErrorBody } from '../../shared/contracts/errors';
import * as http from '../../shared/contracts/http';
import type { QueueMessages } from '../../shared/contracts/queues';
import type { SignupView, StartedSignup as ServiceStarted } from '../../shared/services/signupService';
import type {
  AdminSignup as ServiceAdminSignup,
  AdminStats as ServiceAdminStats,
  PolicyInput as ServicePolicyInput,
  PolicyView as ServicePolicyView,
} from '../../shared/services/adminService';
import type { AuditEvent as PortAuditEvent, StoredPolicy as PortStoredPolicy } from '../../shared/ports';
import { ERRORS } from '../../shared/errors';
import { QUEUES } from '../../shared/storageNames';

type Json = Record<string, unknown>;
type Doc = { components: { schemas: Record<string, Json> } };

const openapi = parse(readFileSync(path.join(__dirname, '..', '..', 'openapi.yaml'), 'utf8')) as Doc;

/** Every zod schema exported by contracts/http.ts, by name; `Error` is the shared error body. */
function contractSchemas(): Record<string, z.ZodType> {
  const schemas: Record<string, z.ZodType> = { Error: ErrorBody };
  for (const [name, value] of Object.entries(http)) if (value instanceof z.ZodType) schemas[name] = value;
  return schemas;
}

/** Follows `#/components/schemas/X` refs and drops the `null` branch of a nullable. */
function resolve(schema: Json, doc: Doc): Json {
  const ref = schema.$ref;
  if (typeof ref === 'string') return resolve(doc.components.schemas[ref.split('/').pop()!] ?? {}, doc);
  const anyOf = schema.anyOf as Json[] | undefined;
  if (anyOf) {
    const branches = anyOf.filter((b) => b.type !== 'null');
    if (branches.length === 1) return resolve(branches[0]!, doc);
  }
  return schema;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function values(schema: Json): string[] | undefined {
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map(show).sort();
  if (schema.const !== undefined) return [show(schema.const)];
  return undefined;
}

const names = (o: unknown) => Object.keys((o as Json | undefined) ?? {}).sort();
const sorted = (a: unknown) => [...((a as string[] | undefined) ?? [])].sort();
const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The differences between a contract's JSON Schema and openapi's schema, as readable lines. */
function differences(contract: Json, documented: Json, doc: Doc, at: string): string[] {
  const c = resolve(contract, doc);
  const d = resolve(documented, doc);
  const out: string[] = [];
  const [cv, dv] = [values(c), values(d)];
  if ((cv || dv) && !same(cv ?? [], dv ?? []))
    out.push(
      `${at}: values ${JSON.stringify(cv ?? null)} (contract) vs ${JSON.stringify(dv ?? null)} (openapi)`,
    );
  if (c.properties || d.properties) {
    const [cp, dp] = [names(c.properties), names(d.properties)];
    for (const p of cp) if (!dp.includes(p)) out.push(`${at}.${p}: in the contract, not in openapi`);
    for (const p of dp) if (!cp.includes(p)) out.push(`${at}.${p}: in openapi, not in the contract`);
    if (!same(sorted(c.required), sorted(d.required)))
      out.push(
        `${at}: required ${JSON.stringify(sorted(c.required))} vs ${JSON.stringify(sorted(d.required))}`,
      );
    for (const p of cp.filter((n) => dp.includes(n)))
      out.push(
        ...differences(
          (c.properties as Json)[p] as Json,
          (d.properties as Json)[p] as Json,
          doc,
          `${at}.${p}`,
        ),
      );
  }
  if (c.items || d.items)
    out.push(...differences((c.items as Json) ?? {}, (d.items as Json) ?? {}, doc, `${at}[]`));
  return out;
}

function compareAll(schemas: Record<string, z.ZodType>, doc: Doc): string[] {
  const documented = Object.keys(doc.components.schemas).sort();
  const contracted = Object.keys(schemas).sort();
  const out: string[] = [];
  for (const name of contracted)
    if (!documented.includes(name)) out.push(`${name}: a contract without an openapi schema`);
  for (const name of documented)
    if (!contracted.includes(name)) out.push(`${name}: an openapi schema without a contract`);
  for (const name of contracted.filter((n) => documented.includes(n)))
    out.push(...differences(z.toJSONSchema(schemas[name]!), doc.components.schemas[name]!, doc, name));
  return out;
}

/** The `code` enum of openapi's error body. */
function documentedCodes(doc: Doc): string[] {
  const error = (doc.components.schemas.Error?.properties as Json).error as {
    properties: Record<string, Json>;
  };
  return sorted(error.properties.code?.enum);
}

describe('openapi.yaml matches shared/contracts', () => {
  test('every component schema has a contract of the same name, and the fields, required lists and enums agree both ways', () => {
    expect(compareAll(contractSchemas(), openapi)).toEqual([]);
  });

  test('every error code of the catalogue is in openapi, and openapi names no other', () => {
    expect(documentedCodes(openapi)).toEqual(sorted(Object.keys(ERRORS)));
    expect(sorted([...ERROR_CODES])).toEqual(sorted(Object.keys(ERRORS)));
  });

  test('the comparison catches a field added on one side only (the check can fail)', () => {
    const doc = structuredClone(openapi);
    const started = doc.components.schemas.StartRequest!;
    (started.properties as Json).referrer = { type: 'string' };
    expect(compareAll(contractSchemas(), doc)).toEqual([
      'StartRequest.referrer: in openapi, not in the contract',
    ]);

    const wider = { ...contractSchemas(), Resent: http.Resent.extend({ attempts: z.int() }) };
    expect(compareAll(wider, openapi)).toEqual([
      'Resent.attempts: in the contract, not in openapi',
      'Resent: required ["attempts","codeExpiresAt","estimatedCodeAt","resendAvailableAt"] vs ["codeExpiresAt","estimatedCodeAt","resendAvailableAt"]',
    ]);

    const nested = structuredClone(openapi);
    ((nested.components.schemas.AdminSignup!.properties as Json).attempts as Json).required = [
      'codeRequests',
    ];
    expect(compareAll(contractSchemas(), nested)).toEqual([
      'AdminSignup.attempts: required ["codeRequests","failedSubmissions","provisionAttempts"] vs ["codeRequests"]',
      // …and everywhere openapi refers to it.
      'AdminSignupDetail.signup.attempts: required ["codeRequests","failedSubmissions","provisionAttempts"] vs ["codeRequests"]',
      'AdminSignupPage.items[].attempts: required ["codeRequests","failedSubmissions","provisionAttempts"] vs ["codeRequests"]',
    ]);

    const codes = structuredClone(openapi);
    const error = (codes.components.schemas.Error?.properties as Json).error as {
      properties: Record<string, Json>;
    };
    error.properties.code!.enum = [...documentedCodes(openapi), 'teapot'];
    expect(documentedCodes(codes)).not.toEqual(sorted(Object.keys(ERRORS)));
    expect(compareAll(contractSchemas(), codes)).toEqual([
      expect.stringMatching(/^Error\.error\.code: values .*"teapot"/),
    ]);
  });

  test('every queue has a message type (compile-time: QueueMessages is keyed by QueueName)', () => {
    const messages: QueueMessages = {
      [QUEUES.email]: { signupId: 's', kind: 'account_ready' },
      [QUEUES.emailPoison]: { signupId: 's' },
      [QUEUES.provision]: { signupId: 's' },
      [QUEUES.provisionPoison]: { signupId: 's' },
    };
    expect(Object.keys(messages).sort()).toEqual(Object.values(QUEUES).sort());
  });
});

/** Compiles only when A is assignable to B: the services' answers fit the contracts. */
const fits = <A, B>(ok: [A] extends [B] ? true : false) => ok;

test('the services and ports answer what the contracts describe (checked by the compiler)', () => {
  expect([
    fits<ServiceStarted, http.StartedSignup>(true),
    fits<SignupView, http.Signup>(true),
    fits<ServiceAdminSignup, http.AdminSignup>(true),
    fits<ServiceAdminStats, http.AdminStats>(true),
    fits<ServicePolicyView, http.PolicyView>(true),
    fits<ServicePolicyInput, http.PolicyInput>(true),
    fits<http.PolicyInput, ServicePolicyInput>(true),
    fits<PortStoredPolicy, http.StoredPolicy>(true),
    fits<PortAuditEvent, http.AuditEvent>(true),
  ]).not.toContain(false);
});
