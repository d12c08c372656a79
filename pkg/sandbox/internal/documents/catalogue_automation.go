package documents

import "time"

// The AWS-owned Automation runbooks the sandbox has built in. Their
// names, parameters (names, types, descriptions, defaults and patterns)
// and steps (names, actions, inputs) are those AWS publishes in the
// "Systems Manager Automation runbook reference" (AWS-RestartEC2Instance,
// AWS-StopEC2Instance, AWS-StartEC2Instance,
// AWS-StopEC2InstanceWithApproval); the content is written in the
// sandbox's words. CreatedDate is the sandbox's choice (the reference
// does not give one).

const assumeRoleParam = `"AutomationAssumeRole": {
      "type": "String",
      "description": "(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.",
      "default": ""
    }`

var awsAutomationDocuments = []struct{ name, content string }{
	{"AWS-RestartEC2Instance", `{
  "description": "Restart EC2 instances(s)",
  "schemaVersion": "0.3",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "StringList",
      "description": "(Required) EC2 Instance(s) to restart"
    },
    ` + assumeRoleParam + `
  },
  "mainSteps": [
    {
      "name": "stopInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "stopped"
      }
    },
    {
      "name": "startInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "running"
      }
    }
  ]
}
`},
	{"AWS-StopEC2Instance", `{
  "description": "Stop EC2 instances(s)",
  "schemaVersion": "0.3",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "StringList",
      "description": "(Required) EC2 Instance(s) to stop"
    },
    ` + assumeRoleParam + `
  },
  "mainSteps": [
    {
      "name": "stopInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "stopped"
      }
    }
  ]
}
`},
	{"AWS-StartEC2Instance", `{
  "description": "Start EC2 instances(s)",
  "schemaVersion": "0.3",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "StringList",
      "description": "(Required) EC2 Instance(s) to start"
    },
    ` + assumeRoleParam + `
  },
  "mainSteps": [
    {
      "name": "startInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "running"
      }
    }
  ]
}
`},
	{"AWS-StopEC2InstanceWithApproval", `{
  "description": "Stop EC2 instances(s) with approval",
  "schemaVersion": "0.3",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "StringList",
      "description": "(Required) EC2 Instance(s) to stop"
    },
    "Approvers": {
      "type": "StringList",
      "description": "(Required) IAM user or user arn of approvers for the automation action"
    },
    "SNSTopicArn": {
      "type": "String",
      "description": "(Required) The SNS topic ARN used to send pending approval notification for stop instance action. The SNS topic name must start with Automation."
    },
    ` + assumeRoleParam + `
  },
  "mainSteps": [
    {
      "name": "approve",
      "action": "aws:approve",
      "onFailure": "Abort",
      "inputs": {
        "NotificationArn": "{{ SNSTopicArn }}",
        "Message": "Your approval is required to stop an EC2 instance",
        "MinRequiredApprovals": 1,
        "Approvers": "{{ Approvers }}"
      }
    },
    {
      "name": "stopInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "stopped"
      }
    }
  ]
}
`},
}

// addAutomationDocuments adds the AWS-owned runbooks to the AWS-owned
// documents.
func addAutomationDocuments(awsDocuments map[string]*document) {
	created := time.Date(2017, 12, 14, 20, 50, 0, 0, time.UTC)
	for _, ad := range awsAutomationDocuments {
		v := &documentVersion{Version: 1, Format: "JSON", Content: ad.content, Created: created, Hash: documentHash(ad.content)}
		c, err := parseAutomationContent(ad.content, "JSON")
		if err != nil {
			panic("sandbox: built-in document " + ad.name + ": " + err.Message)
		}
		v.parsed = c
		awsDocuments[ad.name] = &document{Name: ad.name, Owner: "Amazon", DocumentType: "Automation", DefaultVersion: 1, Versions: []*documentVersion{v}}
	}
}
