package documents

import "time"

// The AWS-owned Automation runbooks the sandbox has built in. Their
// names, parameters (names, types, descriptions, defaults and patterns)
// and steps (names, actions, inputs) are those AWS publishes in the
// "Systems Manager Automation runbook reference" (AWS-RestartEC2Instance,
// AWS-StopEC2Instance, AWS-StartEC2Instance,
// AWS-StopEC2InstanceWithApproval, AWSSupport-CollectEKSInstanceLogs,
// AWSSupport-ManageWindowsService); the content is written in the
// sandbox's words. CreatedDate is the sandbox's choice (the reference
// does not give one). The reference does not publish the scripts the
// AWSSupport runbooks' aws:runCommand steps run, nor the step names of
// AWSSupport-CollectEKSInstanceLogs: those are the sandbox's
// (docs/sandbox-automation.md).

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
	{"AWSSupport-CollectEKSInstanceLogs", `{
  "description": "Gathers operating system and Amazon EKS related log files from an EC2 instance into an archive, and uploads it to an S3 bucket if one is given. (The sandbox's own script: the archive is written in the command's working directory.)",
  "schemaVersion": "0.3",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "EKSInstanceId": {
      "type": "String",
      "description": "(Required) The ID of the Amazon EKS EC2 instance to gather the logs of."
    },
    "LogDestination": {
      "type": "String",
      "description": "(Optional) An S3 bucket of your account to upload the log archive to.",
      "default": ""
    },
    ` + assumeRoleParam + `
  },
  "mainSteps": [
    {
      "name": "assertInstanceIsLinux",
      "action": "aws:assertAwsResourceProperty",
      "onFailure": "Abort",
      "inputs": {
        "Service": "ssm",
        "Api": "DescribeInstanceInformation",
        "InstanceInformationFilterList": [{"key": "InstanceIds", "valueSet": ["{{ EKSInstanceId }}"]}],
        "PropertySelector": "$.InstanceInformationList[0].PlatformType",
        "DesiredValues": ["Linux"]
      }
    },
    {
      "name": "collectLogs",
      "action": "aws:runCommand",
      "onFailure": "Abort",
      "inputs": {
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": ["{{ EKSInstanceId }}"],
        "Parameters": {
          "commands": [
            "free=$(df -P / | awk 'NR == 2 { sub(\"%\", \"\", $5); print 100 - $5 }')",
            "if [ \"$free\" -lt 10 ]; then echo \"Only ${free}% of the root volume is free: at least 10% is needed.\" >&2; exit 1; fi",
            "name=eks_{{ EKSInstanceId }}_$(date -u +%Y-%m-%d_%H%M%S)",
            "work=$(mktemp -d) || exit 1",
            "mkdir -p \"$work/$name/system\" \"$work/$name/var_log\"",
            "uname -a > \"$work/$name/system/uname.txt\" 2>&1",
            "df -h > \"$work/$name/system/df.txt\" 2>&1",
            "ps -ef > \"$work/$name/system/ps.txt\" 2>&1",
            "(ip addr || ifconfig -a) > \"$work/$name/system/network.txt\" 2>&1",
            "for f in /var/log/messages /var/log/syslog /var/log/cloud-init-output.log /var/log/kubelet.log /var/log/aws-routed-eni/ipamd.log; do if [ -r \"$f\" ]; then tail -n 1000 \"$f\" > \"$work/$name/var_log/$(basename \"$f\")\"; fi; done",
            "tar -czf \"$name.tar.gz\" -C \"$work\" \"$name\" || { rm -rf \"$work\"; exit 1; }",
            "rm -rf \"$work\"",
            "echo \"Log archive: $(pwd)/$name.tar.gz\""
          ]
        }
      }
    },
    {
      "name": "checkLogDestination",
      "action": "aws:branch",
      "isEnd": true,
      "inputs": {
        "Choices": [
          {
            "NextStep": "uploadLogs",
            "Not": {"Variable": "{{ LogDestination }}", "StringEquals": ""}
          }
        ]
      }
    },
    {
      "name": "uploadLogs",
      "action": "aws:runCommand",
      "isEnd": true,
      "inputs": {
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": ["{{ EKSInstanceId }}"],
        "Parameters": {
          "commands": [
            "archive=$(ls -t eks_{{ EKSInstanceId }}_*.tar.gz | head -n 1)",
            "aws s3 cp \"$archive\" \"s3://{{ LogDestination }}/$archive\""
          ]
        }
      }
    }
  ]
}
`},
	{"AWSSupport-ManageWindowsService", `{
  "description": "Stops, starts, restarts, pauses or disables a Windows service on the target instance, or checks it. (The sandbox's own PowerShell script.)",
  "schemaVersion": "0.3",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "String",
      "description": "(Required) The ID of the managed instance whose Windows service to manage."
    },
    "WindowsServiceName": {
      "type": "String",
      "description": "(Required) The name of a Windows service."
    },
    "StartupType": {
      "type": "String",
      "description": "(Required) The startup type to give the Windows service.",
      "allowedValues": ["Check", "Auto", "Demand", "Disabled", "DelayedAutoStart"],
      "default": "Check"
    },
    "ServiceAction": {
      "type": "String",
      "description": "(Required) The action to apply to the Windows service. Force-Restart and Force-Stop restart and stop a service that has dependent services.",
      "allowedValues": ["Check", "Restart", "Force-Restart", "Start", "Stop", "Force-Stop", "Pause"],
      "default": "Check"
    },
    ` + assumeRoleParam + `
  },
  "mainSteps": [
    {
      "name": "manageWindowsService",
      "action": "aws:runCommand",
      "onFailure": "Abort",
      "inputs": {
        "DocumentName": "AWS-RunPowerShellScript",
        "InstanceIds": ["{{ InstanceId }}"],
        "Parameters": {
          "commands": [
            "$ErrorActionPreference = 'Stop'",
            "$name = '{{ WindowsServiceName }}'",
            "switch ('{{ ServiceAction }}') {",
            "  'Restart' { Restart-Service -Name $name }",
            "  'Force-Restart' { Restart-Service -Name $name -Force }",
            "  'Start' { Start-Service -Name $name }",
            "  'Stop' { Stop-Service -Name $name }",
            "  'Force-Stop' { Stop-Service -Name $name -Force }",
            "  'Pause' { Suspend-Service -Name $name }",
            "}",
            "switch ('{{ StartupType }}') {",
            "  'Auto' { Set-Service -Name $name -StartupType Automatic }",
            "  'Demand' { Set-Service -Name $name -StartupType Manual }",
            "  'Disabled' { Set-Service -Name $name -StartupType Disabled }",
            "  'DelayedAutoStart' { sc.exe config $name start= delayed-auto | Out-Null }",
            "}",
            "Get-Service -Name $name | Format-List Name, DisplayName, Status, StartType"
          ]
        }
      }
    }
  ],
  "outputs": ["manageWindowsService.Output"]
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
