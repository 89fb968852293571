// ACS email delivery reports → the emailDeliveryReport function (bounces put an address on the suppression
// list, shared/services/bounceService.ts). An Event Grid system topic on the Communication Services
// resource and one subscription filtered to Microsoft.Communication.EmailDeliveryReportReceived.
//
// Event Grid validates an AzureFunction endpoint when the subscription is created: the function must
// already exist in the deployed code. So main.bicep deploys this module only with
// subscribeDeliveryReports=true, and infra/deploy.sh deploys it on its own right after the code
// (docs/DEPLOY.md, "Delivery reports").

param tags object = {}
@description('The Communication Services resource that sends the email (modules/email.bicep).')
param communicationServiceName string
@description('The function app that hosts emailDeliveryReport.')
param functionAppName string
param systemTopicName string = '${communicationServiceName}-events'

resource communication 'Microsoft.Communication/communicationServices@2025-09-01' existing = {
  name: communicationServiceName
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

// ACS is a global resource, so its system topic is too.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: 'global'
  tags: tags
  properties: {
    source: communication.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

resource deliveryReports 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: 'email-delivery-reports'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionApp.id}/functions/emailDeliveryReport'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Communication.EmailDeliveryReportReceived'
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    // A report older than a day no longer matters for the next code email; storage outages are shorter.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = systemTopic.name
