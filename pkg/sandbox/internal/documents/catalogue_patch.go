package documents

import "time"

// AWS-RunPatchBaseline, Patch Manager's Command document. Its parameters
// are AWS's (names, allowed values, defaults and patterns as the AWS
// Systems Manager User Guide, "SSM Command document for patching:
// AWS-RunPatchBaseline", publishes them), and its steps are AWS's
// (PatchWindows, PatchLinux and PatchMacOS, each with its platformType
// precondition). Two things differ, both written in
// docs/sandbox-patch.md: the steps run the plugin aws:runPatchBaseline,
// which the sandbox's agent runs in Go against the patch area (AWS's
// steps are scripts that call the agent's patching modules), and
// BaselineOverride also takes a file:/// URL, since the sandbox's nodes
// share the caller's file system. Its hash is of this content and its
// created date is not AWS's (neither was looked up).
const runPatchBaselineContent = `{
  "schemaVersion": "2.2",
  "description": "Scans for or installs patches from a patch baseline to a Linux, Windows or macOS operating system.",
  "parameters": {
    "Operation": {
      "type": "String",
      "description": "(Required) The update or configuration to perform on the instance. The system checks if patches specified in the patch baseline are installed on the instance. The install operation installs patches missing from the baseline.",
      "allowedValues": ["Scan", "Install"]
    },
    "SnapshotId": {
      "type": "String",
      "description": "(Optional) The snapshot ID to use to retrieve a patch baseline snapshot.",
      "default": "",
      "allowedPattern": "(^$)|^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$"
    },
    "InstallOverrideList": {
      "type": "String",
      "description": "(Optional) An https URL or an Amazon S3 path-style URL to a list of patches to be installed. This patch installation list overrides the patches specified by the default patch baseline.",
      "default": "",
      "allowedPattern": "(^https://.+$)|(^s3://([^/]+)/(.*?([^/]+))$)|(^$)"
    },
    "BaselineOverride": {
      "type": "String",
      "description": "(Optional) Enables the ability to specify a patch baseline override from a JSON file stored in S3 or HTTPS URL. The sandbox also reads file:/// URLs.",
      "default": "",
      "allowedPattern": "(^https://.+$)|(^s3://([^/]+)/(.*?([^/]+))$)|(^file:///.+$)|(^$)"
    },
    "RebootOption": {
      "type": "String",
      "description": "(Optional) Reboot behavior after a patch Install operation. If you choose NoReboot and patches are installed, the instance is marked as non-compliant until a subsequent reboot and scan.",
      "allowedValues": ["RebootIfNeeded", "NoReboot"],
      "default": "RebootIfNeeded"
    }
  },
  "mainSteps": [
    {
      "precondition": {"StringEquals": ["platformType", "Windows"]},
      "action": "aws:runPatchBaseline",
      "name": "PatchWindows",
      "inputs": {"timeoutSeconds": 7200, "Operation": "{{ Operation }}", "SnapshotId": "{{ SnapshotId }}", "InstallOverrideList": "{{ InstallOverrideList }}", "BaselineOverride": "{{ BaselineOverride }}", "RebootOption": "{{ RebootOption }}"}
    },
    {
      "precondition": {"StringEquals": ["platformType", "Linux"]},
      "action": "aws:runPatchBaseline",
      "name": "PatchLinux",
      "inputs": {"timeoutSeconds": 7200, "Operation": "{{ Operation }}", "SnapshotId": "{{ SnapshotId }}", "InstallOverrideList": "{{ InstallOverrideList }}", "BaselineOverride": "{{ BaselineOverride }}", "RebootOption": "{{ RebootOption }}"}
    },
    {
      "precondition": {"StringEquals": ["platformType", "MacOS"]},
      "action": "aws:runPatchBaseline",
      "name": "PatchMacOS",
      "inputs": {"timeoutSeconds": 7200, "Operation": "{{ Operation }}", "SnapshotId": "{{ SnapshotId }}", "InstallOverrideList": "{{ InstallOverrideList }}", "BaselineOverride": "{{ BaselineOverride }}", "RebootOption": "{{ RebootOption }}"}
    }
  ]
}
`

// RunPatchBaselinePlugin is the plugin AWS-RunPatchBaseline's steps run in
// the sandbox; the patch area registers it with the agent.
const RunPatchBaselinePlugin = "aws:runPatchBaseline"

// addPatchDocument adds AWS-RunPatchBaseline to the AWS-owned documents.
func addPatchDocument(awsDocuments map[string]*document) {
	const name = "AWS-RunPatchBaseline"
	v := &documentVersion{Version: 1, Format: "JSON", Content: runPatchBaselineContent,
		Created: time.Date(2018, 5, 30, 20, 6, 5, 0, time.UTC), Hash: documentHash(runPatchBaselineContent)}
	c, err := parseDocumentContent(runPatchBaselineContent, "JSON")
	if err != nil {
		panic("sandbox: built-in document " + name + ": " + err.Message)
	}
	v.parsed = c
	awsDocuments[name] = &document{Name: name, Owner: "Amazon", DocumentType: "Command", DefaultVersion: 1, Versions: []*documentVersion{v}}
}
