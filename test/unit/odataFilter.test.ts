/**
 * The emulator's OData query options, pure: the `$filter` subset (eq/ne, and/or/not, any() lambdas,
 * startswith/endswith, quote doubling, ge/le on dates), `$select` and `$top`, and Graph's 400s for the rest.
 */
import { DirectoryModel, type EmulatedUser } from '../../dev/graph-emulator';
import { HttpProblem } from '../../dev/graph-emulator/http';
import { parseFilter, parseSelect, parseTop, type FilterSchema } from '../../dev/graph-emulator/odataFilter';
import { DEFAULT_USER_PROPERTIES, USER_FILTER, USER_PROPERTIES } from '../../dev/graph-emulator/views';

const model = new DirectoryModel('contoso.onmicrosoft.com', [], () => Date.parse('2025-01-01T00:00:00Z'));
const mary = model.seededUser({
  mail: 'Mary@Contoso.com',
  otherMails: ['mary.alt@gmail.com'],
  proxyAddresses: ['SMTP:Mary@Contoso.com', 'smtp:m@contoso.com'],
});
const obrien = model.seededUser({ mail: "o'brien@fabrikam.com", userType: 'Guest' });
const disabled = model.seededUser({ mail: 'off@contoso.com', accountEnabled: false });
const noMail: EmulatedUser = { ...model.seededUser({ mail: 'x@contoso.com' }), mail: null };
const everyone = [mary, obrien, disabled, noMail];

/** The mails of the users the filter keeps. */
function keep(filter: string): Array<string | null> {
  const { predicate } = parseFilter(filter, USER_FILTER);
  return everyone.filter(predicate).map((u) => u.mail);
}

function problemOf(run: () => unknown): HttpProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error('expected an HttpProblem');
}

describe('OData $filter', () => {
  it('eq compares strings case-insensitively; eq null finds a missing value', () => {
    expect(keep("mail eq 'mary@contoso.com'")).toEqual(['Mary@Contoso.com']);
    expect(keep("USERTYPE EQ 'guest'")).toEqual(["o'brien@fabrikam.com"]);
    expect(keep('mail eq null')).toEqual([null]);
  });

  it('ne negates and is reported as an advanced operator (Graph wants ConsistencyLevel for it)', () => {
    const parsed = parseFilter("userType ne 'Member'", USER_FILTER);
    expect(everyone.filter(parsed.predicate)).toEqual([obrien]);
    expect(parsed.advancedOperators).toEqual(['ne']);
    expect(parseFilter("mail eq 'a@b.com'", USER_FILTER).advancedOperators).toEqual([]);
  });

  it('and binds tighter than or; parentheses override; not is advanced', () => {
    const filter = "mail eq 'off@contoso.com' or userType eq 'Guest' and mail eq 'nobody@x.com'";
    expect(keep(filter)).toEqual(['off@contoso.com']);
    expect(keep(`(${filter.replace(' or', ') or (').replace(" and mail eq 'nobody@x.com'", ')')}`)).toEqual([
      "o'brien@fabrikam.com",
      'off@contoso.com',
    ]);
    const negated = parseFilter("not (userType eq 'Member')", USER_FILTER);
    expect(everyone.filter(negated.predicate)).toEqual([obrien]);
    expect(negated.advancedOperators).toEqual(['not']);
  });

  it('any() matches one element of otherMails or proxyAddresses, ignoring case (SMTP: prefix included)', () => {
    expect(keep("otherMails/any(x:x eq 'MARY.ALT@gmail.com')")).toEqual(['Mary@Contoso.com']);
    expect(keep("proxyAddresses/any(p: p eq 'smtp:M@contoso.com')")).toEqual(['Mary@Contoso.com']);
    expect(keep("otherMails/any(x:x eq 'o''brien@fabrikam.com')")).toEqual(["o'brien@fabrikam.com"]);
  });

  it('any() takes eq only, all() is refused, and an unknown collection is an unsupported query', () => {
    expect(problemOf(() => keep("otherMails/any(x:x ne 'a')")).message).toContain(
      "only 'eq' is supported inside otherMails/any",
    );
    expect(problemOf(() => keep("otherMails/all(x:x eq 'a')")).message).toContain(
      "'all' is not a supported lambda operator",
    );
    expect(problemOf(() => keep("otherMails/any(x:y eq 'a')")).status).toBe(400);
    expect(problemOf(() => keep("businessPhones/any(x:x eq '1')")).code).toBe('Request_UnsupportedQuery');
  });

  it('startswith is plain; endswith is advanced', () => {
    const starts = parseFilter("startswith(mail, 'MARY')", USER_FILTER);
    expect(everyone.filter(starts.predicate)).toEqual([mary]);
    expect(starts.advancedOperators).toEqual([]);
    const ends = parseFilter("endswith(mail, '@FABRIKAM.com')", USER_FILTER);
    expect(everyone.filter(ends.predicate)).toEqual([obrien]);
    expect(ends.advancedOperators).toEqual(['endsWith']);
  });

  it("reads '' as one quote, so a quote in an address stays data (no injection)", () => {
    expect(keep("mail eq 'o''brien@fabrikam.com'")).toEqual(["o'brien@fabrikam.com"]);
    expect(keep("mail eq 'x'' or userType eq ''Member'")).toEqual([]);
  });

  it('compares booleans with true or false only', () => {
    expect(keep('accountEnabled eq false')).toEqual(['off@contoso.com']);
    expect(problemOf(() => keep("accountEnabled eq 'false'")).message).toBe(
      "Invalid filter clause: 'accountEnabled' compares with true or false.",
    );
    expect(problemOf(() => keep('mail eq true')).message).toContain("'mail' compares with a string");
  });

  it('answers 400 Request_UnsupportedQuery for a property it cannot filter, naming it', () => {
    const problem = problemOf(() => keep("jobTitle eq 'x'"));
    expect(problem).toMatchObject({ status: 400, code: 'Request_UnsupportedQuery' });
    expect(problem.message).toContain("property 'jobTitle' of resource 'User'");
  });

  it.each([
    ["mail eq 'unterminated", 'unterminated string literal'],
    ["mail eq 'a@b.com' extra", 'unexpected text after the expression'],
    ['mail eq', 'the expression ends too early'],
    ["(mail eq 'a@b.com'", 'the expression ends too early'],
    ["mail # 'a'", "unexpected character '#'"],
    ["mail ge 'a'", "unsupported operator after 'mail'"],
    ['mail eq mary', 'expected a literal value'],
    ["eq 'a'", "unsupported operator after 'eq'"],
  ])('refuses the malformed filter %s with 400 BadRequest', (filter, detail) => {
    const problem = problemOf(() => keep(filter));
    expect(problem).toMatchObject({ status: 400, code: 'BadRequest' });
    expect(problem.message).toBe(`Invalid filter clause: ${detail}.`);
  });
});

describe('OData $filter on dates (what message traces will need)', () => {
  interface Trace {
    recipientAddress: string;
    receivedDateTime: string;
  }
  const schema: FilterSchema<Trace> = {
    resource: 'MessageTrace',
    strings: { recipientaddress: (t) => t.recipientAddress },
    dates: { receiveddatetime: (t) => t.receivedDateTime },
  };
  const traces: Trace[] = [
    { recipientAddress: 'a@x.com', receivedDateTime: '2025-03-01T10:00:00Z' },
    { recipientAddress: 'b@x.com', receivedDateTime: '2025-03-02T10:00:00Z' },
    { recipientAddress: 'a@x.com', receivedDateTime: '2025-03-03T10:00:00.5Z' },
  ];
  const received = (filter: string) =>
    traces.filter(parseFilter(filter, schema).predicate).map((t) => t.receivedDateTime.slice(0, 10));

  it('ge and le bound a window, inclusive, and combine with string clauses', () => {
    expect(received('receivedDateTime ge 2025-03-02T10:00:00Z')).toEqual(['2025-03-02', '2025-03-03']);
    expect(received('receivedDateTime le 2025-03-02T10:00:00Z')).toEqual(['2025-03-01', '2025-03-02']);
    expect(
      received(
        "receivedDateTime ge 2025-03-01T00:00:00Z and receivedDateTime le 2025-03-04 and recipientAddress eq 'A@x.com'",
      ),
    ).toEqual(['2025-03-01', '2025-03-03']);
  });

  it('gt, lt and eq compare instants (time zone offsets and fractions included)', () => {
    expect(received('receivedDateTime gt 2025-03-02T10:00:00Z')).toEqual(['2025-03-03']);
    // 12:00+02:00 is 10:00Z: not after the second trace, so lt leaves it out.
    expect(received('receivedDateTime lt 2025-03-02T12:00:00+02:00')).toEqual(['2025-03-01']);
    expect(received('receivedDateTime lt 2025-03-02T12:00:00+01:00')).toEqual(['2025-03-01', '2025-03-02']);
    expect(received('receivedDateTime eq 2025-03-03T10:00:00.500Z')).toEqual(['2025-03-03']);
  });

  it('refuses a date compared with a string, and ge on a property that is not a date', () => {
    expect(problemOf(() => received("receivedDateTime ge '2025-03-01'")).message).toContain(
      "'receivedDateTime' compares with a date and time",
    );
    expect(problemOf(() => received("recipientAddress ge 'a'")).message).toContain('unsupported operator');
  });
});

describe('OData $select and $top', () => {
  it("gives Graph's default user properties without $select and the resource's spelling with it", () => {
    expect(parseSelect(null, USER_PROPERTIES, DEFAULT_USER_PROPERTIES, 'microsoft.graph.user')).toBe(
      DEFAULT_USER_PROPERTIES,
    );
    expect(
      parseSelect(' ID, usertype ,Mail', USER_PROPERTIES, DEFAULT_USER_PROPERTIES, 'microsoft.graph.user'),
    ).toEqual(['id', 'userType', 'mail']);
  });

  it('answers 400 naming an unknown $select property and the type', () => {
    const problem = problemOf(() =>
      parseSelect('id,nope', USER_PROPERTIES, DEFAULT_USER_PROPERTIES, 'microsoft.graph.user'),
    );
    expect(problem).toMatchObject({ status: 400, code: 'BadRequest' });
    expect(problem.message).toBe("Could not find a property named 'nope' on type 'microsoft.graph.user'.");
  });

  it('takes $top from 1 to 999, 100 when absent', () => {
    expect(parseTop(null)).toBe(100);
    expect(parseTop('1')).toBe(1);
    expect(parseTop('999')).toBe(999);
    for (const bad of ['0', '1000', '1.5', 'ten'])
      expect(problemOf(() => parseTop(bad))).toMatchObject({ status: 400, code: 'Request_BadRequest' });
  });
});
