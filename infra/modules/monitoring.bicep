// Log Analytics + workspace-based Application Insights (Entra-only ingestion), an action group and the
// alert rules operators need (security-limits.md §6 req 46, 57).
//
// Why log-search alerts rather than metric alerts: Storage queue metrics (QueueMessageCount) exist only per
// account, not per queue, so "poison queue depth > 0" cannot be expressed as a metric alert. The rules query
// the app's OpenTelemetry custom metrics (AppMetrics: counters and gauges named in shared/ports.ts, never
// sampled), the app's structured poison event and the Functions host's own warning when it moves a message
// to a `-poison` queue (AppTraces, which host.json excludes from sampling). Each rule runs every 5 minutes.
// The workbook (infra/workbook.json) charts the same metrics.

param location string
param tags object
param logAnalyticsName string
param appInsightsName string
@minLength(1)
param actionGroupName string

@description('Principal id of the app identity (gets Monitoring Metrics Publisher for Entra-authenticated ingestion).')
param principalId string

@description('Where alert emails go. Empty: alerts fire in the portal only.')
param alertEmailAddress string

@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Failed function executions (server-side errors) tolerated per 15 minutes before alerting.')
@minValue(0)
param functionFailureThreshold int = 2

var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'
var hasActionGroup = !empty(alertEmailAddress)
var actionGroupIds = hasActionGroup ? [resourceId('Microsoft.Insights/actionGroups', actionGroupName)] : []

// Custom metrics arrive pre-aggregated: each AppMetrics row carries the count of its interval in Sum.
var emailFailureQuery = '''
AppMetrics
| where (Name == 'email.bounced' and tostring(Properties.source) != 'delivery_report') or (Name == 'email.deferred' and tostring(Properties.reason) startswith 'transport_')
| summarize failures = sum(Sum) by bin(TimeGenerated, 5m)
| where failures > 0
'''

// Bounce rate of the last hour: bounces (ACS delivery reports and SMTP refusals) per email sent, over 5 %.
var bounceRateQuery = '''
AppMetrics
| where TimeGenerated > ago(1h) and Name in ('email.bounced', 'email.sent')
| summarize bounced = sumif(Sum, Name == 'email.bounced'), sent = sumif(Sum, Name == 'email.sent')
| where sent > 0 and bounced * 100.0 / sent > 5
'''

var graphThrottledQuery = '''
AppMetrics
| where Name == 'graph.requests' and tostring(Properties.status) == '429'
| summarize throttled = sum(Sum) by bin(TimeGenerated, 5m)
| where throttled > 0
'''

var queueAgeQuery = '''
AppMetrics
| where Name == 'queue.age' and not(tostring(Properties.queue) endswith '-poison')
| summarize age = max(Max) by queue = tostring(Properties.queue)
| where age > 900
'''

var poisonQuery = '''
AppTraces
| where Message contains 'poison_message' or Message contains 'MaxDequeueCount'
| extend evt = tostring(parse_json(Message)['event'])
| where evt == 'poison_message' or Message contains 'MaxDequeueCount'
'''

// HTTP 4xx (rate limits, validation) are expected outcomes, not failures: count 5xx and non-HTTP failures.
var functionFailureQuery = '''
AppRequests
| where Success == false
| extend code = toint(ResultCode)
| where isnull(code) or code >= 500 or code < 100
'''

var alertRules = [
  {
    name: 'poison-message'
    displayName: 'rms-signup: message moved to a poison queue'
    description: 'A queue message failed maxDequeueCount times (host.json) and reached signup-email-poison or signup-provision-poison. Inspect it; never replay without checking idempotency (req 57).'
    severity: 1
    query: poisonQuery
    threshold: 0
    windowSize: 'PT5M'
  }
  {
    name: 'function-failures'
    displayName: 'rms-signup: function executions failing'
    description: 'Function executions ended in an unhandled error or a 5xx response.'
    severity: 2
    query: functionFailureQuery
    threshold: functionFailureThreshold
    windowSize: 'PT15M'
  }
  {
    name: 'email-send-failed'
    displayName: 'rms-signup: verification emails failing'
    description: 'ACS or SMTP rejected a send (email.bounced) or was unavailable (email.deferred by transport), e.g. quota (429), sender not linked, or a 403 from a missing role.'
    severity: 2
    query: emailFailureQuery
    threshold: 0
    windowSize: 'PT15M'
  }
  {
    name: 'bounce-rate'
    displayName: 'rms-signup: bounce rate over 5 % in the last hour'
    description: 'More than 5 % of the emails sent in the last hour bounced (email.bounced per email.sent): typed-in addresses are wrong, or someone is feeding the door addresses that do not exist. ACS suspends senders with high bounce rates; bounced addresses are suppressed for EMAIL_SUPPRESSION_DAYS.'
    severity: 2
    query: bounceRateQuery
    threshold: 0
    windowSize: 'PT1H'
  }
  {
    name: 'graph-throttled'
    displayName: 'rms-signup: Microsoft Graph throttling'
    description: 'Microsoft Graph answered 429 to the provisioner (graph.requests with status 429). Guests are still created after Retry-After, but sustained throttling means the write budget is too high for this tenant.'
    severity: 3
    query: graphThrottledQuery
    threshold: 0
    windowSize: 'PT15M'
  }
  {
    name: 'queue-age'
    displayName: 'rms-signup: queue messages waiting too long'
    description: 'The oldest message of the email or provision queue is over 15 minutes old (queue.age): the functions are not keeping up, or a budget is exhausted.'
    severity: 2
    query: queueAgeQuery
    threshold: 0
    windowSize: 'PT15M'
  }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true // no workspace shared keys; App Insights ingests with Entra ID
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true // telemetry only with an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisherRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (hasActionGroup) {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'rmssignup'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in alertRules: {
    name: '${appInsightsName}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        workspace.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: rule.windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      // The AppTraces/AppRequests tables exist only after the first telemetry arrives; without this a
      // fresh deployment would fail validating the queries.
      skipQueryValidation: true
      actions: {
        actionGroups: actionGroupIds
      }
    }
    dependsOn: [
      appInsights
      actionGroup
    ]
  }
]

// Funnel, outcomes, email and Graph budget burn, queue ages and failures by reason; the queries name only
// metrics the app emits (test/unit/infraDrift.test.ts checks them against shared/ports.ts).
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(appInsights.id, 'rms-signup-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'RMS sign-up operations'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: loadTextContent('../workbook.json')
  }
}

output appInsightsId string = appInsights.id
output workbookId string = workbook.id
output appInsightsName string = appInsights.name
output connectionString string = appInsights.properties.ConnectionString
output workspaceId string = workspace.id
output alertRuleNames array = [for (rule, i) in alertRules: alerts[i].name]
